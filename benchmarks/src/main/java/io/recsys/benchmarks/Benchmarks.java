package io.recsys.benchmarks;

import io.recsys.localstack.LocalStack;
import io.recsys.localstack.ServiceProcess;
import io.recsys.localstack.StackConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What the benchmarks share. */
final class Benchmarks {

    private Benchmarks() {}

    /** The services' JVM options as deployed locally, or {@code RECSYS_SERVICE_JVM_OPTS}. */
    static List<String> serviceJvm() {
        return Optional.ofNullable(System.getenv("RECSYS_SERVICE_JVM_OPTS"))
                .filter(s -> !s.isBlank())
                .map(s -> List.of(s.trim().split("\\s+")))
                .orElse(StackConfig.DEFAULT_SERVICE_JVM);
    }

    /** The inference-service's JVM options as deployed locally, or {@code RECSYS_SERVICE_JVM_OPTS}. */
    static List<String> inferenceServiceJvm() {
        List<String> configured = serviceJvm();
        return configured.equals(StackConfig.DEFAULT_SERVICE_JVM) ? StackConfig.INFERENCE_SERVICE_JVM : configured;
    }

    /** A process's resident memory (VmRSS), in bytes; 0 where the system does not report it. */
    static long residentBytes(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024)
                .findFirst()
                .orElse(0);
    }

    static ServiceProcess service(LocalStack stack, String module) {
        return stack.services().stream()
                .filter(s -> s.spec().module().equals(module))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(module + " is not running"));
    }
}
