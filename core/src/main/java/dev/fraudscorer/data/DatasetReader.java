package dev.fraudscorer.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Reads the dataset's CSV (optionally gzip'd): {@code TRANSACTION_ID, TX_DATETIME, CUSTOMER_ID, TERMINAL_ID,
 * TX_AMOUNT, TX_TIME_SECONDS, TX_TIME_DAYS, TX_FRAUD, TX_FRAUD_SCENARIO}, TX_DATETIME taken as UTC.
 */
public final class DatasetReader {

    private static final List<String> REQUIRED = List.of("TRANSACTION_ID", "TX_DATETIME", "CUSTOMER_ID",
            "TERMINAL_ID", "TX_AMOUNT", "TX_FRAUD", "TX_FRAUD_SCENARIO");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private DatasetReader() {
    }

    /**
     * Streams every row, in file order, to {@code sink}.
     *
     * @return sha256 (hex) of the file's bytes as stored, for lineage
     */
    public static String read(Path file, Consumer<DatasetRow> sink) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no such data file: " + file.toAbsolutePath());
        }
        final MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream raw = new DigestInputStream(Files.newInputStream(file), sha);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
             BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            final String header = lines.readLine();
            if (header == null) {
                throw new IOException(file + " is empty");
            }
            final List<String> columns = List.of(header.trim().split(","));
            final int[] at = new int[REQUIRED.size()];
            for (int i = 0; i < at.length; i++) {
                at[i] = columns.indexOf(REQUIRED.get(i));
                if (at[i] < 0) {
                    throw new IOException(file + " has no column " + REQUIRED.get(i) + "; expected the handbook's "
                            + "layout with columns " + REQUIRED);
                }
            }
            String line;
            long lineNo = 1;
            while ((line = lines.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                final String[] f = line.split(",", -1);
                try {
                    sink.accept(new DatasetRow(f[at[0]],
                            LocalDateTime.parse(f[at[1]], TIME).toInstant(ZoneOffset.UTC).toEpochMilli(),
                            f[at[2]], f[at[3]], Double.parseDouble(f[at[4]]),
                            Integer.parseInt(f[at[5]]) == 1, Integer.parseInt(f[at[6]])));
                } catch (RuntimeException e) {
                    if (e instanceof UncheckedIOException) {
                        throw e;
                    }
                    throw new IOException(file + " line " + lineNo + " is malformed (" + e.getMessage() + "): " + line, e);
                }
            }
            // Drain the rest so the digest covers the whole file even if the gzip trailer was not consumed.
            raw.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
