package dev.fraudscorer.infra.verify;

import dev.fraudscorer.data.DatasetRow;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.topics.Topics;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Mutation fuzzing at the input: bytes of valid framed Avro transactions flipped, truncated, spliced, inserted or
 * overwritten, as a broken producer, a bad network card or an attacker would send them. Each mutant either still
 * decodes to a valid transaction (then it is one and gets a verdict) or does not (a dead letter); nothing else may
 * happen. The base transactions have their own customers and terminals ({@code fuzz-c-*}, {@code fuzz-t-*}), so a
 * mutant that decodes never touches the history of the real ones whose features the verifier checks. Seeded: the
 * same run sends the same bytes.
 */
final class MutatedTransactions {

    /** A mutant and the key it is sent with (the base's customer, as a producer keys it). */
    record Mutant(String key, byte[] value, String kind) {
    }

    private static final int BASES = 64;
    private static final String[] KINDS = {"flip", "truncate", "splice", "insert", "overwrite", "header"};
    private final SplittableRandom random;
    private final byte[][] bases = new byte[BASES][];
    private final String[] keys = new String[BASES];

    MutatedTransactions(Serializer<Transaction> serializer, DatasetRow template, long seed) {
        random = new SplittableRandom(seed);
        for (int b = 0; b < BASES; b++) {
            keys[b] = "fuzz-c-" + b;
            final Transaction tx = Transaction.newBuilder().setTransactionId("fuzz-" + b)
                    .setEventTime(Instant.ofEpochMilli(template.eventTimeMs() + b)).setCustomerId(keys[b])
                    .setTerminalId("fuzz-t-" + b % 8).setAmount(template.amount() + b).setCurrency("EUR")
                    .setChannel("POS").build();
            bases[b] = serializer.serialize(Topics.TRANSACTIONS.name(), tx);
        }
    }

    Mutant next() {
        final int b = random.nextInt(BASES);
        final byte[] base = bases[b];
        final String kind = KINDS[random.nextInt(KINDS.length)];
        final byte[] value = switch (kind) {
            case "flip" -> {
                final byte[] v = base.clone();
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    final int i = random.nextInt(v.length);
                    v[i] ^= (byte) (1 << random.nextInt(8));
                }
                yield v;
            }
            case "truncate" -> Arrays.copyOf(base, random.nextInt(base.length));
            case "splice" -> {
                final byte[] other = bases[random.nextInt(BASES)];
                final int cut = random.nextInt(base.length);
                final int from = random.nextInt(other.length);
                final byte[] v = Arrays.copyOf(base, cut + other.length - from);
                System.arraycopy(other, from, v, cut, other.length - from);
                yield v;
            }
            case "insert" -> {
                final int at = random.nextInt(base.length + 1);
                final byte[] extra = new byte[1 + random.nextInt(16)];
                random.nextBytes(extra);
                final byte[] v = new byte[base.length + extra.length];
                System.arraycopy(base, 0, v, 0, at);
                System.arraycopy(extra, 0, v, at, extra.length);
                System.arraycopy(base, at, v, at + extra.length, base.length - at);
                yield v;
            }
            case "overwrite" -> {
                // Extremes of a byte: 0xFF in a varint length prefix declares a huge string or array.
                final byte[] v = base.clone();
                v[random.nextInt(v.length)] = random.nextBoolean() ? (byte) 0xFF : 0;
                yield v;
            }
            default -> {
                // The framing: magic byte and schema id, so the registry is asked for ids that do not exist.
                final byte[] v = base.clone();
                v[random.nextInt(Math.min(5, v.length))] = (byte) random.nextInt(256);
                yield v;
            }
        };
        return new Mutant(keys[b], value, kind);
    }
}
