package dev.fraudscorer.infra.verify;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class VerifierTest {

    @Test
    void theScorersGuaranteeIsTheLastOneTheirSettingsGive() {
        assertFalse(Verifier.atLeastOnce(List.of()), "the scorer's default is exactly_once_v2");
        assertTrue(Verifier.atLeastOnce(List.of("streams.commit.interval.ms=200", "processing.guarantee=at_least_once")));
        assertFalse(Verifier.atLeastOnce(List.of("processing.guarantee=at_least_once",
                "processing.guarantee=exactly_once_v2")));
        // The scorer hands Kafka Streams its streams.* settings last: that one wins, wherever it stands.
        assertTrue(Verifier.atLeastOnce(List.of("streams.processing.guarantee=at_least_once",
                "processing.guarantee=exactly_once_v2")));
    }
}
