package dev.fraudscorer.topics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.fraudscorer.schema.Decision;
import dev.fraudscorer.schema.ReasonCode;
import dev.fraudscorer.schema.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class BufferedDatumWriterTest {

    @Test
    void writesTheBytesTheUnbufferedWriterWrites() throws IOException {
        final DatumWriter<Verdict> writer = new SchemaIdentityDatumProvider<Verdict>()
                .createDatumWriter(verdict(1, 15), Verdict.SCHEMA$);
        assertInstanceOf(BufferedDatumWriter.class, writer);
        for (int i = 0; i < 3; i++) {
            final Verdict v = verdict(i, 15);
            final byte[] bytes = encode(writer, v);
            assertArrayEquals(encode(new SpecificDatumWriter<>(Verdict.SCHEMA$), v), bytes);
            assertEquals(v, decode(bytes));
        }
    }

    @Test
    void aRecordLargerThanTheKeptBufferStillEncodesAndTheNextSmallOneToo() throws IOException {
        final DatumWriter<Verdict> writer = new BufferedDatumWriter<>(new SpecificDatumWriter<>(Verdict.SCHEMA$));
        final Verdict large = verdict(7, 5_000);
        final byte[] bytes = encode(writer, large);
        assertEquals(true, bytes.length > BufferedDatumWriter.MAX_KEPT_BYTES, "the record must outgrow the buffer");
        assertArrayEquals(encode(new SpecificDatumWriter<>(Verdict.SCHEMA$), large), bytes);
        final Verdict small = verdict(8, 3);
        assertArrayEquals(encode(new SpecificDatumWriter<>(Verdict.SCHEMA$), small), encode(writer, small));
    }

    @Test
    void threadsSharingOneWriterEachGetTheirOwnRecordsBytes() throws Exception {
        final DatumWriter<Verdict> writer = new BufferedDatumWriter<>(new SpecificDatumWriter<>(Verdict.SCHEMA$));
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        final Verdict v = verdict(thread * 10_000 + i, 1 + i % 20);
                        assertEquals(v, decode(encode(writer, v)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** As Apicurio's serializer writes a record: a direct (unbuffered) encoder over a byte stream. */
    private static byte[] encode(DatumWriter<Verdict> writer, Verdict v) {
        try {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final Encoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(v, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Verdict decode(byte[] bytes) {
        try {
            return new SpecificDatumReader<>(Verdict.class).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Verdict verdict(int n, int features) {
        final Map<String, Double> values = new LinkedHashMap<>();
        for (int i = 0; i < features; i++) {
            values.put("feature_" + i + "_of_" + n, i * 0.5 + n);
        }
        return Verdict.newBuilder().setTransactionId("tx-" + n).setCustomerId("c-" + n % 97)
                .setTerminalId("t-" + n % 31).setEventTime(Instant.ofEpochMilli(1_522_540_800_000L + n))
                .setScore(n % 100 / 100.0).setDecision(Decision.values()[n % 3]).setOutlier(n % 2 == 0)
                .setAnomalyScore(n / 7.0).setReviewRequired(n % 5 == 0)
                .setReasonCodes(List.of(new ReasonCode("feature_0_of_" + n, 1.5, -0.25),
                        new ReasonCode("amount", n * 1.0, 0.75)))
                .setModelName("fraud").setModelVersion(n % 4).setScoredAt(Instant.ofEpochMilli(1_700_000_000_000L + n))
                .setTraceId(n % 3 == 0 ? null : "trace-" + n).setFeatures(values)
                .setOutlierFeatures(n % 2 == 0 ? List.of("amount") : List.of())
                .setThresholdsId(n % 2 == 0 ? "abcdef012345" : null).build();
    }
}
