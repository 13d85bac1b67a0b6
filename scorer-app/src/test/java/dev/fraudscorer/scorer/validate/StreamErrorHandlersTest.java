package dev.fraudscorer.scorer.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fraudscorer.scorer.ScorerConfig;
import dev.fraudscorer.scorer.features.ToTerminalEvents;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scorer's Streams error handlers, as {@link ScorerConfig} installs them, on a topology shaped like the scorer's
 * (same node names): a side branch, then a scoring node whose bug throws. Our own processors catch what they expect;
 * this is what happens to what they do not.
 */
class StreamErrorHandlersTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> in;
    private TestOutputTopic<String, String> out;
    private TestOutputTopic<String, String> side;
    private TestOutputTopic<String, String> dead;

    @BeforeEach
    void start() {
        final StreamsBuilder builder = new StreamsBuilder();
        final KStream<String, String> valid = builder.stream(Topics.TRANSACTIONS.name(),
                Consumed.with(Serdes.String(), Serdes.String()).withName("transactions-source"));
        valid.mapValues(v -> {
            if (v.equals("side-bug")) {
                throw new IllegalStateException("terminal entry bug");
            }
            return v;
        }, Named.as(ToTerminalEvents.NODE)).to("side", Produced.with(Serdes.String(), Serdes.String()).withName(ToTerminalEvents.SINK));
        valid.mapValues(v -> {
            if (v.equals("score-bug")) {
                throw new ArrayIndexOutOfBoundsException("feature 17 of 16");
            }
            return "verdict:" + v;
        }, Named.as("score")).to(Topics.VERDICTS.name(), Produced.with(Serdes.String(), Serdes.String()).withName("verdict-sink"));
        valid.filter((k, v) -> v.equals("dlq-write-bug"), Named.as("invalid"))
                .to(Topics.DEAD_LETTERS.name(), Produced.with(Serdes.String(), Serdes.serdeFrom((t, v) -> {
                    throw new org.apache.kafka.common.errors.SerializationException("cannot write dead letter");
                }, Serdes.String().deserializer())).withName("invalid-dead-letter-sink"));

        final Properties props = new Properties();
        props.putAll(new ScorerConfig(Map.of()).streamsProperties());
        props.put(StreamErrors.METRICS_CONFIG, new ScorerMetrics(meters, Clock.systemUTC()));
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/errors-ttd-" + System.nanoTime());
        driver = new TopologyTestDriver(builder.build(), props);
        in = driver.createInputTopic(Topics.TRANSACTIONS.name(), Serdes.String().serializer(), Serdes.String().serializer());
        out = driver.createOutputTopic(Topics.VERDICTS.name(), Serdes.String().deserializer(), Serdes.String().deserializer());
        side = driver.createOutputTopic("side", Serdes.String().deserializer(), Serdes.String().deserializer());
        dead = driver.createOutputTopic(Topics.DEAD_LETTERS.name(), Serdes.String().deserializer(), Serdes.String().deserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void aBugOnTheVerdictPathDeadLettersTheInputOnlyAndTheStreamGoesOn() {
        final var headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add("traceparent", "00-abc-def-01".getBytes(StandardCharsets.UTF_8));
        in.pipeInput("k1", "a");
        in.pipeInput(new TestRecord<>("k2", "score-bug", headers));
        in.pipeInput("k3", "b");

        assertEquals(java.util.List.of("verdict:a", "verdict:b"), out.readValuesToList(), "no verdict for the failed one");
        final var letter = dead.readRecord();
        assertTrue(dead.isEmpty());
        assertEquals("k2", letter.key());
        assertEquals("score-bug", letter.value(), "the input bytes as read");
        assertEquals("PROCESSING_FAILED", header(letter, DeadLetter.REASON));
        assertEquals(ArrayIndexOutOfBoundsException.class.getName(), header(letter, DeadLetter.EXCEPTION));
        assertEquals("feature 17 of 16", header(letter, DeadLetter.MESSAGE));
        assertEquals("1", header(letter, DeadLetter.SOURCE_OFFSET));
        assertEquals("00-abc-def-01", header(letter, "traceparent"), "original headers are kept");
        assertEquals(1.0, meters.get("fraud_dead_letters").tag("reason", "PROCESSING_FAILED").counter().count());
        assertEquals(1.0, meters.get("fraud_stream_errors").tag("node", "score").counter().count());
    }

    @Test
    void aBugOnTheSideBranchIsCountedNotDeadLetteredBecauseTheRecordStillGetsItsVerdict() {
        in.pipeInput("k1", "side-bug");

        assertEquals("verdict:side-bug", out.readValue());
        assertTrue(dead.isEmpty(), "a verdict and a dead letter for one record would be both");
        assertTrue(side.isEmpty());
        assertEquals(1.0, meters.get("fraud_stream_errors").tag("node", "terminal-entry").counter().count());
    }

    @Test
    void aDeadLetterThatCannotBeSerialisedIsStillKeptAsTheInputBytes() {
        // The sink's FAIL surfaces as a processing error of the node above it, whose handler writes the raw input
        // straight to the collector: nothing is dropped.
        in.pipeInput("k1", "dlq-write-bug");

        final var letter = dead.readRecord();
        assertTrue(dead.isEmpty());
        assertEquals("dlq-write-bug", letter.value());
        assertEquals("PROCESSING_FAILED", header(letter, DeadLetter.REASON));
        assertTrue(header(letter, DeadLetter.MESSAGE).contains("Unable to serialize"), () -> header(letter, DeadLetter.MESSAGE));
        assertEquals("verdict:dlq-write-bug", out.readValue());
    }

    private static String header(TestRecord<String, String> record, String key) {
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
