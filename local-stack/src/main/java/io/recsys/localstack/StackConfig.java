package io.recsys.localstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.recsys.localstack.demo.DemoDataSpec;

/**
 * Everything the local stack needs to know.
 *
 * @param root        the repository checkout (holds each module's target/*-exec.jar)
 * @param ports       where everything listens
 * @param redisUrl    a running Redis to use instead of starting one
 * @param demoData    what to seed, or empty to seed nothing
 * @param workDir     logs and class-data archives go here
 * @param serviceJvm  JVM options of each service process
 */
public record StackConfig(Path root, StackPorts ports, Optional<String> redisUrl, Optional<DemoDataSpec> demoData, Path workDir,
        List<String> serviceJvm) {

    public static final List<String> DEFAULT_SERVICE_JVM = List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-Xss512k");

    public StackConfig {
        serviceJvm = List.copyOf(serviceJvm);
    }

    /** The checkout root, found from the working directory (the root itself or one of its modules). */
    public static Path findRoot(Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("gateway")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("run from the repository checkout: no gateway/ module found above " + start.toAbsolutePath());
    }
}
