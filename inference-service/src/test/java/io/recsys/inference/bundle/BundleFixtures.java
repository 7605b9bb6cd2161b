package io.recsys.inference.bundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;

/** The committed demo bundle (models/demo/, written by the python-worker) and copies of it for tests. */
public final class BundleFixtures {

    private BundleFixtures() {}

    /** The demo bundle's directory in the repository. */
    public static Path demoBundle() {
        Path root = Path.of("..", "models", "demo").toAbsolutePath().normalize();
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow(() -> new IllegalStateException("no demo bundle in " + root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A copy of the demo bundle at {@code <modelDir>/<name>/<version>/}, published the atomic way (staging, rename).
     */
    public static Path publishCopy(Path modelDir, String name, String version) {
        try {
            Path source = demoBundle();
            Path parent = Files.createDirectories(modelDir.resolve(name));
            Path staging = Files.createTempDirectory(parent, ".incoming-" + version + "-");
            try (Stream<Path> files = Files.list(source)) {
                for (Path file : files.toList()) {
                    Files.copy(file, staging.resolve(file.getFileName()));
                }
            }
            Path metadata = staging.resolve("metadata.json");
            String original = source.getFileName().toString();
            Files.writeString(
                    metadata,
                    Files.readString(metadata)
                            .replace("\"version\": \"" + original + "\"", "\"version\": \"" + version + "\""));
            return Files.move(staging, parent.resolve(version));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces a file of a bundle and records its new checksum, as a (mis)trained export would. */
    public static void replaceFile(Path bundle, String file, byte[] content) {
        try {
            String oldDigest = sha256(Files.readAllBytes(bundle.resolve(file)));
            long oldSize = Files.size(bundle.resolve(file));
            Files.write(bundle.resolve(file), content);
            Path metadata = bundle.resolve("metadata.json");
            Files.writeString(
                    metadata,
                    Files.readString(metadata)
                            .replace(oldDigest, sha256(content))
                            .replace("\"bytes\": " + oldSize + "\n", "\"bytes\": " + content.length + "\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
