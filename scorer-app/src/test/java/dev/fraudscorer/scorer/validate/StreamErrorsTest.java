package dev.fraudscorer.scorer.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fraudscorer.topics.Topics;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

/** Which failures are dead-lettered, which are only counted, and which stop the application. */
class StreamErrorsTest {

    private final StreamErrors errors = new StreamErrors();
    private static final byte[] RAW = {1, 2, 3};

    @Test
    void aFailureOnTheVerdictPathWithTheInputAtHandIsDeadLettered() {
        assertEquals(StreamErrors.Action.DEAD_LETTER, errors.actionFor(context("score", Topics.TRANSACTIONS.name(), RAW), null, false));
        assertEquals(StreamErrors.Action.DEAD_LETTER,
                errors.actionFor(context("verdict-sink", Topics.TRANSACTIONS.name(), RAW), Topics.VERDICTS.name(), false));
    }

    @Test
    void withoutTheInputsBytesOrWhenTheDeadLetterItselfFailsItStopsRatherThanLose() {
        assertEquals(StreamErrors.Action.STOP,
                errors.actionFor(context("verdict-sink", Topics.TRANSACTIONS.name(), null), Topics.VERDICTS.name(), false));
        assertEquals(StreamErrors.Action.STOP, errors.actionFor(context("invalid-dead-letter-sink",
                Topics.TRANSACTIONS.name(), RAW), Topics.DEAD_LETTERS.name(), false));
    }

    @Test
    void sideBranchGlobalStoresAndPunctuationsAreCountedOnly() {
        assertEquals(StreamErrors.Action.COUNT_ONLY, errors.actionFor(context("terminal-entry", Topics.TRANSACTIONS.name(), RAW), null, false));
        assertEquals(StreamErrors.Action.COUNT_ONLY, errors.actionFor(context("model-control-source", Topics.MODEL_CONTROL.name(), RAW), null, false));
        assertEquals(StreamErrors.Action.COUNT_ONLY, errors.actionFor(context("score", null, null), null, true));
    }

    private static ErrorHandlerContext context(String node, String topic, byte[] raw) {
        return new ErrorHandlerContext() {
            @Override public String topic() { return topic; }
            @Override public int partition() { return 0; }
            @Override public long offset() { return 7; }
            @Override public Headers headers() { return new RecordHeaders(); }
            @Override public String processorNodeId() { return node; }
            @Override public TaskId taskId() { return new TaskId(0, 0); }
            @Override public long timestamp() { return 0; }
            @Override public byte[] sourceRawKey() { return raw; }
            @Override public byte[] sourceRawValue() { return raw; }
        };
    }
}
