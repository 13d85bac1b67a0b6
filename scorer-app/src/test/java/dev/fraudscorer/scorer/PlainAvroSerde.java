package dev.fraudscorer.scorer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro binary without a registry, for TopologyTestDriver tests of topology logic. The integration test uses the
 * real Apicurio serde against a real registry.
 */
final class PlainAvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final Schema schema;

    PlainAvroSerde(Schema schema) {
        this.schema = schema;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> {
            try {
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
                new SpecificDatumWriter<T>(schema).write(value, encoder);
                encoder.flush();
                return out.toByteArray();
            } catch (IOException e) {
                throw new SerializationException(e);
            }
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            try {
                final var decoder = DecoderFactory.get().binaryDecoder(bytes, null);
                final T value = new SpecificDatumReader<T>(schema).read(null, decoder);
                if (!decoder.isEnd()) {
                    throw new SerializationException("trailing bytes after the record");
                }
                return value;
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("not a " + schema.getName() + ": " + e.getMessage(), e);
            }
        };
    }
}
