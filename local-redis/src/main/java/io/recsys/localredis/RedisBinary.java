package io.recsys.localredis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a redis-server executable comes from: an explicit path, the {@code PATH}, or the binaries that the
 * embedded-redis artifact carries (extracted once into a cache directory), so that nothing has to be installed by hand.
 */
public record RedisBinary(Path path, String description) {

    private static final String EMBEDDED_LINUX_X64 = "redis-server-6.2.6-v5-linux-amd64";
    private static final String EMBEDDED_LINUX_ARM64 = "redis-server-6.2.7-linux-arm64";
    private static final String EMBEDDED_MAC_X64 = "redis-server-6.2.6-v5-darwin-amd64";
    private static final String EMBEDDED_MAC_ARM64 = "redis-server-6.2.6-v5-darwin-arm64";

    /** The installed redis-server if there is one, else the embedded binary. */
    public static RedisBinary locate() throws IOException {
        Optional<RedisBinary> installed = onPath();
        return installed.isPresent() ? installed.get() : embedded();
    }

    public static Optional<RedisBinary> onPath() {
        String pathVariable = System.getenv().getOrDefault("PATH", "");
        for (String dir : pathVariable.split(java.io.File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return Optional.of(new RedisBinary(candidate, "installed (" + candidate + ")"));
            }
        }
        return Optional.empty();
    }

    /** Extracts the binary matching this OS and CPU from the embedded-redis artifact. */
    public static RedisBinary embedded() throws IOException {
        String resource = embeddedResourceName();
        Path cacheDir = Path.of(System.getProperty("java.io.tmpdir"), "recsys-redis-bin");
        Files.createDirectories(cacheDir);
        Path target = cacheDir.resolve(resource);
        if (!Files.isExecutable(target)) {
            try (InputStream in = RedisBinary.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("embedded redis binary " + resource + " is not on the classpath");
                }
                Path partial = Files.createTempFile(cacheDir, resource, ".part");
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
                // rename so that a concurrent reader never runs a half-written binary
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        return new RedisBinary(target, "embedded (" + resource + ")");
    }

    private static String embeddedResourceName() throws IOException {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        boolean arm = arch.contains("aarch64") || arch.contains("arm64");
        if (os.contains("linux")) {
            return arm ? EMBEDDED_LINUX_ARM64 : EMBEDDED_LINUX_X64;
        }
        if (os.contains("mac")) {
            return arm ? EMBEDDED_MAC_ARM64 : EMBEDDED_MAC_X64;
        }
        throw new IOException("no embedded redis-server for " + os + "/" + arch + "; install Redis and set REDIS_URL");
    }
}
