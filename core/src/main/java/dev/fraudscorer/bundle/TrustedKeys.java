package dev.fraudscorer.bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The public keys whose signatures a scorer accepts, by key id. */
public final class TrustedKeys {

    private final Map<String, PublicKey> byId;

    private TrustedKeys(Map<String, PublicKey> byId) {
        this.byId = Map.copyOf(byId);
    }

    public static TrustedKeys of(Collection<PublicKey> keys) {
        final Map<String, PublicKey> byId = new TreeMap<>();
        keys.forEach(k -> byId.put(BundleSigning.keyId(k), k));
        return new TrustedKeys(byId);
    }

    /** Reads {@code .pub} files, and every {@code *.pub} in a directory. */
    public static TrustedKeys load(List<Path> paths) throws IOException {
        final List<PublicKey> keys = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.list(path)) {
                    for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".pub")).sorted().toList()) {
                        keys.add(BundleSigning.readPublic(f));
                    }
                }
            } else {
                keys.add(BundleSigning.readPublic(path));
            }
        }
        return of(keys);
    }

    public boolean trusts(String keyId) {
        return byId.containsKey(keyId);
    }

    /**
     * @throws IllegalArgumentException saying why, if {@code bundle} is not signed by a trusted key
     */
    public void verify(byte[] bundle, byte[] signature, String signedBy) {
        if (signature == null || signedBy == null) {
            throw new IllegalArgumentException("the version is not signed; publish it with --signing-key");
        }
        final PublicKey key = byId.get(signedBy);
        if (key == null) {
            throw new IllegalArgumentException("signed by key " + signedBy + ", which this scorer does not trust"
                    + " (trusted: " + String.join(", ", byId.keySet()) + ")");
        }
        if (!BundleSigning.verify(key, bundle, signature)) {
            throw new IllegalArgumentException("the Ed25519 signature by key " + signedBy
                    + " does not match the signed bytes");
        }
    }
}
