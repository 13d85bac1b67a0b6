package dev.fraudscorer.scorer.features;

import dev.fraudscorer.features.EntityHistory;
import dev.fraudscorer.scorer.validate.Routed;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Turns a valid transaction or label into its terminal history entry for {@link dev.fraudscorer.topics.Topics#TERMINAL_EVENTS},
 * stamped with the wall clock (the topic's retention must count from when history was written, not from 2018).
 * Behind its entries it writes {@link TerminalProgress} markers: each time its event time enters a new hour, and
 * every second of wall clock (flagged idle when nothing came in since the last), which is what lets readers know
 * how complete the global store is.
 */
public final class ToTerminalEvents<V> implements Processor<byte[], Routed<V>, Bytes, byte[]> {

    /** Processor and sink names of the terminal-history branch, which error handling treats as a side branch. */
    public static final String NODE = "terminal-entry";
    public static final String SINK = "terminal-events-sink";


    static final long MARKER_EVERY_MS = Duration.ofHours(1).toMillis();
    static final Duration IDLE_CHECK = Duration.ofSeconds(1);

    private final Function<V, EntityHistory.Entry> entry;
    private final ToLongFunction<V> eventTime;
    private final Clock clock;
    private final RecentTerminalEntries recent;
    private ProcessorContext<Bytes, byte[]> context;
    private String writer;
    private long progress = Long.MIN_VALUE;
    private boolean sawRecord;

    /**
     * @param eventTime when the input happened (a label: when it became known); markers report the largest seen
     */
    public ToTerminalEvents(Function<V, EntityHistory.Entry> entry, ToLongFunction<V> eventTime, Clock clock,
                            RecentTerminalEntries recent) {
        this.recent = recent;
        this.entry = entry;
        this.eventTime = eventTime;
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<Bytes, byte[]> context) {
        this.context = context;
        this.writer = context.applicationId() + "/" + context.taskId();
        context.schedule(IDLE_CHECK, PunctuationType.WALL_CLOCK_TIME, now -> {
            if (progress != Long.MIN_VALUE) {
                mark(!sawRecord);
            }
            sawRecord = false;
        });
    }

    @Override
    public void process(Record<byte[], Routed<V>> record) {
        final V value = record.value().value();
        final EntityHistory.Entry e = entry.apply(value);
        recent.add(writer, e);
        context.forward(new Record<>(Bytes.wrap(e.key()), e.value(), clock.millis(), new RecordHeaders()));
        sawRecord = true;
        final long time = eventTime.applyAsLong(value);
        if (time > progress) {
            final boolean newHour = progress == Long.MIN_VALUE || time / MARKER_EVERY_MS != progress / MARKER_EVERY_MS;
            progress = time;
            if (newHour) {
                mark(false);
            }
        }
    }

    private void mark(boolean idle) {
        final TerminalProgress marker = new TerminalProgress(writer, progress, idle);
        context.forward(new Record<>(Bytes.wrap(marker.key()), marker.value(), clock.millis(), new RecordHeaders()));
    }

    /** Sends markers to every partition and entries where the producer's partitioner puts them. */
    public static StreamPartitioner<Bytes, byte[]> partitioner() {
        return (topic, key, value, partitions) -> TerminalProgress.isProgress(key.get())
                ? Optional.of(allOf(partitions)) : Optional.empty();
    }

    private static Set<Integer> allOf(int partitions) {
        return IntStream.range(0, partitions).boxed().collect(Collectors.toUnmodifiableSet());
    }
}
