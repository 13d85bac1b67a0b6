package dev.fraudscorer.topics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;

/**
 * A datum writer that encodes into a per-thread buffer and hands the encoder the finished bytes in one write. Apicurio's
 * serializer gives each record a new unbuffered {@code DirectBinaryEncoder} over a {@link ByteArrayOutputStream}, so
 * every field (a verdict has ~80: its features map, reason codes, ids) is its own synchronized stream write; JFR put
 * the verdict's encoding at 8-11% of the scorer's stream thread. The bytes are the delegate's, unchanged: Avro's binary
 * encoding is the same whether buffered or not. Shared by threads as the delegate is; each thread has its own buffer.
 */
final class BufferedDatumWriter<T> implements DatumWriter<T> {

    /** A buffer grown past this by one large record (a model bundle) is dropped after it, not kept per thread. */
    static final int MAX_KEPT_BYTES = 64 * 1024;

    private static final class Scratch extends ByteArrayOutputStream {
        BinaryEncoder encoder;

        Scratch() {
            super(1024);
        }

        byte[] buffer() {
            return buf;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final DatumWriter<T> delegate;

    BufferedDatumWriter(DatumWriter<T> delegate) {
        this.delegate = delegate;
    }

    @Override
    public void setSchema(Schema schema) {
        delegate.setSchema(schema);
    }

    @Override
    public void write(T datum, Encoder out) throws IOException {
        final Scratch scratch = SCRATCH.get();
        scratch.reset();
        scratch.encoder = EncoderFactory.get().binaryEncoder(scratch, scratch.encoder);
        try {
            delegate.write(datum, scratch.encoder);
            scratch.encoder.flush();
            out.writeFixed(scratch.buffer(), 0, scratch.size());
        } finally {
            if (scratch.buffer().length > MAX_KEPT_BYTES) {
                SCRATCH.remove();
            }
        }
    }
}
