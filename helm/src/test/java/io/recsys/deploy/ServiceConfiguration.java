package io.recsys.deploy;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a service really serves, read from its own {@code application.yaml}: the ports (Actuator's is the HTTP port
 * unless {@code management.server.port} gives one of its own), whether Actuator's probe endpoints exist and are
 * exposed, and the named gRPC health services.
 */
record ServiceConfiguration(
        String service,
        int httpPort,
        int grpcPort,
        int managementPort,
        Set<String> httpProbePaths,
        Set<String> grpcHealthServices) {

    static final List<String> SERVICES =
            List.of("gateway", "ingestion-service", "feature-service", "inference-service", "recommendation-service");

    static ServiceConfiguration of(String service) {
        Path file = Chart.REPOSITORY.resolve(service).resolve("src/main/resources/application.yaml");
        Map<String, Object> yaml;
        try {
            yaml = new KubernetesSerialization().unmarshal(Files.readString(file), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> paths = new TreeSet<>();
        boolean probes = Boolean.TRUE.equals(at(yaml, "management", "endpoint", "health", "probes", "enabled"));
        Object exposed = at(yaml, "management", "endpoints", "web", "exposure", "include");
        boolean healthExposed = exposed != null
                && List.of(exposed.toString().replace(" ", "").split(",")).contains("health");
        if (probes && healthExposed) {
            paths.add("/actuator/health/liveness");
            paths.add("/actuator/health/readiness");
        }
        Object named = at(yaml, "spring", "grpc", "server", "health", "service");
        Set<String> healthServices = new TreeSet<>(
                named instanceof Map<?, ?> m
                        ? m.keySet().stream().map(Object::toString).toList()
                        : List.of());
        healthServices.add(""); // the overall health, always served
        int httpPort = number(at(yaml, "server", "port"), file);
        Object management = at(yaml, "management", "server", "port");
        return new ServiceConfiguration(
                service,
                httpPort,
                number(at(yaml, "spring", "grpc", "server", "port"), file),
                management == null ? httpPort : number(management, file),
                paths,
                healthServices);
    }

    private static Object at(Map<String, Object> yaml, String... keys) {
        Object value = yaml;
        for (String key : keys) {
            if (!(value instanceof Map<?, ?> map)) {
                return null;
            }
            value = map.get(key);
        }
        return value;
    }

    private static int number(Object value, Path file) {
        if (!(value instanceof Number port)) {
            throw new IllegalStateException(file + " sets no port where the chart expects one: " + value);
        }
        return port.intValue();
    }
}
