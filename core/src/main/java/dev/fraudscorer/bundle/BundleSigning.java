package dev.fraudscorer.bundle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 signatures of bundle bytes, with the JDK's own EdDSA. Keys are stored as PEM files (PKCS#8 private,
 * X.509 public), so {@code openssl pkey -in trainer.key -text} reads them too. A key is named by its id: the first
 * 16 hex digits of the sha256 of its X.509 encoding.
 */
public final class BundleSigning {

    private static final String ALGORITHM = "Ed25519";

    private BundleSigning() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    public static byte[] sign(PrivateKey key, byte[] bundle) {
        try {
            final Signature signer = Signature.getInstance(ALGORITHM);
            signer.initSign(key);
            signer.update(bundle);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
        }
    }

    public static boolean verify(PublicKey key, byte[] bundle, byte[] signature) {
        try {
            final Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(bundle);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    public static String keyId(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded())).substring(0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code <base>.key} (owner-only) and {@code <base>.pub}; refuses to overwrite. */
    public static void write(KeyPair pair, Path base) throws IOException {
        final Path priv = base.resolveSibling(base.getFileName() + ".key");
        final Path pub = base.resolveSibling(base.getFileName() + ".pub");
        for (Path p : new Path[] {priv, pub}) {
            if (Files.exists(p)) {
                throw new IOException(p + " exists; choose another name or delete it first");
            }
        }
        Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        try {
            Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the file keeps the default permissions
        }
        Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    }

    public static PrivateKey readPrivate(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(unpem(file, "PRIVATE KEY")));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not an Ed25519 private key (PKCS#8 PEM): " + e.getMessage(), e);
        }
    }

    public static PublicKey readPublic(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(unpem(file, "PUBLIC KEY")));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not an Ed25519 public key (X.509 PEM): " + e.getMessage(), e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static byte[] unpem(Path file, String type) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " does not exist; create keys with 'model-control keys generate'");
        }
        final String text = Files.readString(file, StandardCharsets.US_ASCII);
        final String begin = "-----BEGIN " + type + "-----";
        final String end = "-----END " + type + "-----";
        final int from = text.indexOf(begin);
        final int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IOException(file + " is not a PEM " + type.toLowerCase() + " file");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " has a corrupt PEM body", e);
        }
    }
}
