package io.recsys.localstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** One service in its own JVM, with its output in a log file. */
public final class ServiceProcess {

    private static final Duration STOP_GRACE = Duration.ofSeconds(25);

    private final ServiceSpec spec;
    private final Process process;
    private final Path logFile;

    private ServiceProcess(ServiceSpec spec, Process process, Path logFile) {
        this.spec = spec;
        this.process = process;
        this.logFile = logFile;
    }

    public static ServiceProcess launch(ServiceSpec spec, Path root, Path workDir, List<String> jvmOptions)
            throws IOException {
        // human-readable logs locally; the services log structured JSON by default (containers)
        return launch(
                spec,
                root,
                workDir,
                jvmOptions,
                Map.of("LOG_FORMAT", System.getenv().getOrDefault("LOG_FORMAT", "")));
    }

    /** The same with these environment variables (on top of this process's own), as a container would set them. */
    public static ServiceProcess launch(
            ServiceSpec spec, Path root, Path workDir, List<String> jvmOptions, Map<String, String> environment)
            throws IOException {
        Path jar = executableJar(root, spec.module());
        Path logFile = workDir.resolve("logs").resolve(spec.module() + ".log");
        Files.createDirectories(logFile.getParent());
        Files.createDirectories(workDir.resolve("cds"));
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        // class-data sharing archive, written on the first run: later starts are markedly faster
        command.add("-XX:+AutoCreateSharedArchive");
        command.add("-XX:SharedArchiveFile=" + workDir.resolve("cds").resolve(spec.module() + ".jsa"));
        command.add("-jar");
        command.add(jar.toString());
        command.add("--server.port=" + spec.httpPort());
        command.add("--spring.grpc.server.port=" + spec.grpcPort());
        if (spec.managementPort() != spec.httpPort()) {
            command.add("--management.server.port=" + spec.managementPort());
        }
        command.addAll(spec.extraArguments());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()));
        builder.environment().putAll(environment);
        return new ServiceProcess(spec, builder.start(), logFile);
    }

    static Path executableJar(Path root, String module) throws IOException {
        Path target = root.resolve(module).resolve("target");
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                var jar = files.filter(p -> p.getFileName().toString().endsWith("-exec.jar"))
                        .findFirst();
                if (jar.isPresent()) {
                    return jar.get();
                }
            }
        }
        throw new IOException("no executable jar in " + target + ": build first (./recsys start does)");
    }

    /** Waits until the service reports ready on its Actuator readiness probe. */
    public void awaitReady(Duration timeout, HttpClient http) throws IOException, InterruptedException {
        URI readiness = URI.create("http://127.0.0.1:" + spec.managementPort() + "/actuator/health/readiness");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(spec.module() + " exited with code " + process.exitValue() + ":\n" + logTail());
            }
            try {
                HttpResponse<Void> response = http.send(
                        HttpRequest.newBuilder(readiness)
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // keep polling
            }
            Thread.sleep(250);
        }
        throw new IOException(spec.module() + " not ready within " + timeout + ":\n" + logTail());
    }

    /** Kills the process outright (SIGKILL), as a crash would: no shutdown hooks, nothing flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** Asks for a graceful shutdown (SIGTERM) without waiting. */
    public void requestStop() {
        process.destroy();
    }

    /** SIGTERM (graceful shutdown), then a hard kill when the grace period is over. */
    public void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    public ServiceSpec spec() {
        return spec;
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public Path logFile() {
        return logFile;
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
