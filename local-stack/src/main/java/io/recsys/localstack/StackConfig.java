package io.recsys.localstack;

import io.recsys.localstack.demo.DemoDataSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the local stack needs to know.
 *
 * @param root the repository checkout (holds each module's target/*-exec.jar)
 * @param ports where everything listens
 * @param redis the Redis to start, or the running one to use
 * @param demoData what to seed, or empty to seed nothing
 * @param workDir logs and class-data archives go here
 * @param serviceJvm JVM options of each service process
 * @param services which services to run (benchmarks run only what they measure)
 * @param serviceArguments further {@code --key=value} arguments by service module (a benchmark's own settings)
 */
public record StackConfig(
        Path root,
        StackPorts ports,
        StackRedis redis,
        Optional<DemoDataSpec> demoData,
        Path workDir,
        List<String> serviceJvm,
        Set<String> services,
        Map<String, List<String>> serviceArguments) {

    // a heap that is not resized under load, and generational ZGC for short pauses: measured on feature reads
    // (./recsys bench features), p99 at 100 items went from 22 ms (-Xms64m, SerialGC) to 10 ms, at 1,000 items
    // from 53 ms (same heap, SerialGC) to 25 ms
    public static final List<String> DEFAULT_SERVICE_JVM = List.of("-Xms256m", "-Xmx512m", "-XX:+UseZGC", "-Xss512k");
    // the inference-service keeps its models mostly outside the heap (ONNX Runtime, embeddings are small):
    // with a 256 MB heap it stays under 512 MB resident under full load (./recsys bench inference), same speed
    public static final List<String> INFERENCE_SERVICE_JVM = List.of("-Xms128m", "-Xmx256m", "-XX:+UseZGC", "-Xss512k");
    public static final Set<String> ALL_SERVICES =
            Set.of("ingestion-service", "feature-service", "inference-service", "recommendation-service", "gateway");

    public StackConfig {
        serviceJvm = List.copyOf(serviceJvm);
        services = Set.copyOf(services);
        serviceArguments = Map.copyOf(serviceArguments);
        if (!ALL_SERVICES.containsAll(services)) {
            throw new IllegalArgumentException("unknown services in " + services + "; known: " + ALL_SERVICES);
        }
    }

    public StackConfig(
            Path root,
            StackPorts ports,
            StackRedis redis,
            Optional<DemoDataSpec> demoData,
            Path workDir,
            List<String> serviceJvm,
            Set<String> services) {
        this(root, ports, redis, demoData, workDir, serviceJvm, services, Map.of());
    }

    /** The argument that gives the gateway's keys of its default client. */
    public static final String GATEWAY_API_KEYS_ARGUMENT = "--recsys.gateway.auth.api-keys=";

    /** A key the gateway accepts, when its arguments give keys; the stack's own warm-up requests send it. */
    public Optional<String> gatewayApiKey() {
        return serviceArguments("gateway").stream()
                .filter(argument -> argument.startsWith(GATEWAY_API_KEYS_ARGUMENT))
                .map(argument ->
                        argument.substring(GATEWAY_API_KEYS_ARGUMENT.length()).split(",")[0])
                .findFirst();
    }

    /** The further arguments of one service, none unless given. */
    public List<String> serviceArguments(String module) {
        return serviceArguments.getOrDefault(module, List.of());
    }

    /** JVM options of one service: the configured ones, or the inference-service's own when left at the default. */
    public List<String> serviceJvm(String module) {
        return serviceJvm.equals(DEFAULT_SERVICE_JVM) ? defaultServiceJvm(module) : serviceJvm;
    }

    /** The default JVM options of one service: the inference-service's own, the common ones for the others. */
    public static List<String> defaultServiceJvm(String module) {
        return "inference-service".equals(module) ? INFERENCE_SERVICE_JVM : DEFAULT_SERVICE_JVM;
    }

    /** The checkout root, found from the working directory (the root itself or one of its modules). */
    public static Path findRoot(Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("gateway")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "run from the repository checkout: no gateway/ module found above " + start.toAbsolutePath());
    }
}
