package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fraudscorer.schema.ModelControl;
import dev.fraudscorer.schema.ModelVersion;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.scorer.control.ModelCache;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every operator, store and topic is named; this snapshot makes a rename (which would orphan state or change
 * internal topics) a deliberate, reviewed change. On a mismatch the new description is in target/.
 */
class TopologySnapshotTest {

    private static final Path SNAPSHOT = Path.of("src/test/resources/topology.txt");

    @Test
    void topologyDescriptionMatchesTheCommittedSnapshot() throws Exception {
        final String actual = ScorerTopology.build(new ScorerConfig(Map.of()), new ScorerTopology.AvroCodecs(
                new PlainAvroSerde<Transaction>(Transaction.getClassSchema())::deserializer,
                new PlainAvroSerde<Verdict>(Verdict.getClassSchema()),
                new PlainAvroSerde<ModelControl>(ModelControl.getClassSchema())::deserializer,
                new PlainAvroSerde<ModelVersion>(ModelVersion.getClassSchema())::deserializer,
                new PlainAvroSerde<dev.fraudscorer.schema.FraudLabel>(dev.fraudscorer.schema.FraudLabel.getClassSchema())::deserializer),
                new ModelCache(TestKeys.trusted(), new ScorerConfig(Map.of()).featureCapabilities(), (k, r) -> { }), ScorerMetrics.discarding(), Clock.systemUTC()).describe().toString();
        Files.writeString(Path.of("target/topology-actual.txt"), actual);
        assertEquals(Files.readString(SNAPSHOT), actual,
                "topology changed; if intended, copy target/topology-actual.txt to " + SNAPSHOT);
    }
}
