package dev.fraudscorer.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The model bundle format, in one place. On disk a bundle is a directory with {@code manifest.json}, the model
 * file it names, and {@code SHA256SUMS} (checkable with {@code sha256sum -c}); on the wire it is a zip of the
 * manifest and the model with fixed entry times, so the same bundle always has the same bytes and sha256.
 */
public final class ModelBundle {

    public static final int FORMAT_VERSION = 2;
    public static final String MANIFEST_FILE = "manifest.json";
    public static final String SUMS_FILE = "SHA256SUMS";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int MAX_ENTRY_BYTES = 256 * 1024 * 1024;

    private final Manifest manifest;
    private final byte[] model;

    /** @throws BundleException if the model's sha256 is not the one the manifest names */
    public ModelBundle(Manifest manifest, byte[] model) {
        if (manifest.formatVersion() != FORMAT_VERSION) {
            throw new BundleException("bundle format " + manifest.formatVersion() + " is not supported (this code reads "
                    + FORMAT_VERSION + ")");
        }
        final String actual = sha256(model);
        if (!actual.equals(manifest.modelSha256())) {
            throw new BundleException("model file sha256 " + actual + " does not match the manifest's "
                    + manifest.modelSha256());
        }
        this.manifest = manifest;
        this.model = model.clone();
    }

    public Manifest manifest() {
        return manifest;
    }

    public byte[] model() {
        return model.clone();
    }

    public void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        final byte[] manifestBytes = manifestBytes();
        Files.write(dir.resolve(MANIFEST_FILE), manifestBytes);
        Files.write(dir.resolve(manifest.modelFile()), model);
        Files.writeString(dir.resolve(SUMS_FILE), manifest.modelSha256() + "  " + manifest.modelFile() + "\n"
                + sha256(manifestBytes) + "  " + MANIFEST_FILE + "\n");
    }

    public static ModelBundle readFrom(Path dir) throws IOException {
        final Path manifestFile = dir.resolve(MANIFEST_FILE);
        if (!Files.isRegularFile(manifestFile)) {
            throw new BundleException(dir + " is not a model bundle: it has no " + MANIFEST_FILE);
        }
        final Manifest manifest = JSON.readValue(Files.readAllBytes(manifestFile), Manifest.class);
        return new ModelBundle(manifest, Files.readAllBytes(dir.resolve(manifest.modelFile())));
    }

    /** The wire form: deterministic bytes. */
    public byte[] toBytes() {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            put(zip, MANIFEST_FILE, manifestBytes());
            put(zip, manifest.modelFile(), model);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    public static ModelBundle fromBytes(byte[] bytes) {
        final Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                final byte[] content = zip.readNBytes(MAX_ENTRY_BYTES + 1);
                if (content.length > MAX_ENTRY_BYTES) {
                    throw new BundleException("bundle entry " + entry.getName() + " exceeds " + MAX_ENTRY_BYTES + " bytes");
                }
                entries.put(entry.getName(), content);
            }
            final byte[] manifestBytes = entries.get(MANIFEST_FILE);
            if (manifestBytes == null) {
                throw new BundleException("bundle has no " + MANIFEST_FILE);
            }
            final Manifest manifest = JSON.readValue(manifestBytes, Manifest.class);
            final byte[] model = entries.get(manifest.modelFile());
            if (model == null) {
                throw new BundleException("bundle has no model file " + manifest.modelFile());
            }
            return new ModelBundle(manifest, model);
        } catch (IOException e) {
            throw new BundleException("bundle is not readable: " + e.getMessage(), e);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] manifestBytes() {
        try {
            return JSON.writeValueAsString(manifest).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("manifest does not serialise", e);
        }
    }

    private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
        final ZipEntry entry = new ZipEntry(name);
        entry.setTime(0L); // fixed, so equal bundles have equal bytes
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }

    /** A bundle that is malformed or inconsistent. */
    public static final class BundleException extends RuntimeException {
        public BundleException(String message) {
            super(message);
        }

        public BundleException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
