package io.recsys.benchmarks;

import io.recsys.localstack.LocalStack;
import io.recsys.localstack.ServiceProcess;
import io.recsys.localstack.StackConfig;
import io.recsys.localstack.StackPorts;
import io.recsys.localstack.demo.DemoDataSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The whole platform on this machine, load from this process through the gateway: saturation at full depth (closed
 * loop), a steady run at half of it, an overload ramp to 4x and back, and the inference-service stopped and restarted
 * mid-run; per second offered and served rate, p99, depth shares and errors, with PNG charts; each service's longest GC
 * pause and resident memory.
 */
final class RecommendationBenchmark {

    private final Path root;
    private final int saturationSeconds;
    private final int steadySeconds;
    private final int callers;

    RecommendationBenchmark(Path root, BenchOptions options) {
        this.root = root;
        this.saturationSeconds = options.intValue("saturation-seconds", 10);
        this.steadySeconds = options.intValue("steady-seconds", 30);
        this.callers = options.intValue("callers", 8);
    }

    BenchmarkReport run() throws Exception {
        Path work = root.resolve("benchmarks/target/bench-stack");
        StackConfig config = new StackConfig(
                root,
                StackPorts.free(),
                Optional.empty(),
                Optional.of(DemoDataSpec.standard()),
                work,
                Benchmarks.serviceJvm(),
                StackConfig.ALL_SERVICES);
        try (LocalStack stack = LocalStack.start(config, System.out::println)) {
            URI gateway = stack.gatewayUrl();
            int users = DemoDataSpec.standard().users();
            Map<String, Object> setup = new LinkedHashMap<>();
            setup.put("demo_data", DemoDataSpec.standard().toString());
            setup.put(
                    "client",
                    "this process: closed loop of " + callers
                            + " callers for saturation, open loop (requests on a schedule) otherwise");
            setup.put("service_jvm", Benchmarks.serviceJvm());
            BenchmarkReport report = new BenchmarkReport("recommendations", setup);
            String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                    .withZone(ZoneOffset.UTC)
                    .format(Instant.now());
            Path charts = Files.createDirectories(root.resolve("bench-results"));

            Map<String, Object> saturation = closedLoop(gateway, users);
            report.add("saturation_closed_loop", saturation);
            double full = ((Number) saturation.get("requests_per_second")).doubleValue();
            double steadyRate = full / 2;

            OpenLoad load = new OpenLoad(gateway, users);
            // saturation left the depth controller low; it climbs back only while requests flow
            load.run(20, t -> steadyRate / 4, second -> {});
            OpenLoad.Result steady = load.run(steadySeconds, t -> steadyRate, second -> {});
            report.add("steady_at_half_saturation", summary(steady, steadyRate));

            // overload: 10 s at half, 10 s ramp to 4x, 20 s at 4x, then 20 s at half again
            double high = 4 * full;
            OpenLoad.Result overload = load.run(
                    60,
                    t -> t < 10
                            ? steadyRate
                            : t < 20 ? steadyRate + (high - steadyRate) * (t - 10) / 10 : t < 40 ? high : steadyRate,
                    second -> {});
            Map<String, Object> overloadFigures = summary(overload, high);
            overloadFigures.put("p99_ms_during_4x", p99Between(overload, 20, 40));
            overloadFigures.put("seconds_after_drop_until_full", recovery(overload, 40));
            overloadFigures.put("per_second", perSecond(overload));
            report.add("overload_4x", overloadFigures);
            Charts.write(
                    charts.resolve("recommendations-overload-" + stamp + ".png"),
                    "Overload: half -> 4x saturation -> half",
                    overload.seconds());

            // dependency failure: the inference-service stopped at 10 s and started again at 25 s
            AtomicReference<ServiceProcess> restarted = new AtomicReference<>();
            ServiceProcess inference = Benchmarks.service(stack, "inference-service");
            OpenLoad.Result failure = load.run(45, t -> steadyRate, second -> {
                // off the load's own thread: the schedule must not wait for the process to stop or start
                if (second == 10) {
                    Thread.ofPlatform().start(inference::stop);
                } else if (second == 25) {
                    Thread.ofPlatform().start(() -> restarted.set(restart(inference, config)));
                }
            });
            Map<String, Object> failureFigures = summary(failure, steadyRate);
            failureFigures.put("p99_ms_while_stopped", p99Between(failure, 10, 25));
            failureFigures.put("per_second", perSecond(failure));
            report.add("inference_service_stopped_and_restarted", failureFigures);
            Charts.write(
                    charts.resolve("recommendations-dependency-failure-" + stamp + ".png"),
                    "inference-service stopped at 10 s, started again at 25 s",
                    failure.seconds());

            Map<String, Object> footprint = new LinkedHashMap<>();
            for (ServiceProcess service : stack.services()) {
                ServiceProcess live = service == inference && restarted.get() != null ? restarted.get() : service;
                footprint.put(service.spec().module(), footprint(live));
            }
            report.add("service_footprint", footprint);
            if (restarted.get() != null) {
                restarted.get().stop();
            }
            System.out.println("charts: bench-results/recommendations-*-" + stamp + ".png");
            return report;
        }
    }

    private Map<String, Object> closedLoop(URI gateway, int users) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(30), 2);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong served = new AtomicLong();
        AtomicLong full = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            Random random = new Random(t);
            threads.add(Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    String user = String.format("user-%05d", 1 + random.nextInt(users));
                    long started = System.nanoTime();
                    try {
                        HttpResponse<Void> response = http.send(
                                HttpRequest.newBuilder(
                                                gateway.resolve("/api/v1/users/" + user + "/recommendations?limit=10"))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding());
                        if (response.statusCode() == 200) {
                            latency.recordValue(Math.max(1, (System.nanoTime() - started) / 1_000));
                            served.incrementAndGet();
                            if (response.headers()
                                    .firstValue("X-Prediction-Depth")
                                    .filter("full"::equals)
                                    .isPresent()) {
                                full.incrementAndGet();
                            }
                        }
                    } catch (IOException e) {
                        // counted as not served
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(saturationSeconds));
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
        Map<String, Object> figures = new LinkedHashMap<>(BenchmarkReport.latency(latency));
        figures.put("requests_per_second", Math.round(served.get() / (double) saturationSeconds));
        figures.put("share_full", served.get() == 0 ? 0 : Math.round(100.0 * full.get() / served.get()) / 100.0);
        figures.put("callers", callers);
        return figures;
    }

    private static Map<String, Object> summary(OpenLoad.Result result, double peakRate) {
        Map<String, Object> figures = new LinkedHashMap<>(BenchmarkReport.latency(result.overall()));
        figures.put("peak_offered_per_second", Math.round(peakRate));
        figures.put(
                "offered",
                result.seconds().stream().mapToLong(s -> s.offered.get()).sum());
        figures.put(
                "served",
                result.seconds().stream().mapToLong(s -> s.served.get()).sum());
        figures.put("errors", result.errors());
        long served = Math.max(
                1, result.seconds().stream().mapToLong(s -> s.served.get()).sum());
        for (String depth : OpenLoad.DEPTHS) {
            long count = result.seconds().stream()
                    .mapToLong(
                            s -> s.depths.getOrDefault(depth, new AtomicLong()).get())
                    .sum();
            figures.put("share_" + depth, Math.round(100.0 * count / served) / 100.0);
        }
        return figures;
    }

    private static double p99Between(OpenLoad.Result result, int from, int to) {
        Histogram merged = new Histogram(TimeUnit.SECONDS.toMicros(30), 2);
        result.seconds().subList(from, Math.min(to, result.seconds().size())).forEach(s -> merged.add(s.latency));
        return merged.getTotalCount() == 0 ? 0 : merged.getValueAtPercentile(99) / 1000.0;
    }

    /** Seconds from {@code from} until the first second in which at least 95 % of answers were full depth. */
    private static int recovery(OpenLoad.Result result, int from) {
        for (int s = from; s < result.seconds().size(); s++) {
            OpenLoad.Second second = result.seconds().get(s);
            long fullAnswers =
                    second.depths.getOrDefault("full", new AtomicLong()).get();
            if (second.served.get() > 0 && fullAnswers >= 0.95 * second.served.get()) {
                return s - from;
            }
        }
        return -1;
    }

    private static List<Map<String, Object>> perSecond(OpenLoad.Result result) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int s = 0; s < result.seconds().size(); s++) {
            rows.add(result.seconds().get(s).summary(s));
        }
        return rows;
    }

    private static ServiceProcess restart(ServiceProcess stopped, StackConfig config) {
        try {
            ServiceProcess fresh = ServiceProcess.launch(
                    stopped.spec(),
                    config.root(),
                    config.workDir(),
                    config.serviceJvm(stopped.spec().module()));
            fresh.awaitReady(Duration.ofMinutes(1), HttpClient.newHttpClient());
            return fresh;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static Map<String, Object> footprint(ServiceProcess service) throws IOException, InterruptedException {
        Map<String, Object> figures = new LinkedHashMap<>();
        ServiceMetrics metrics = new ServiceMetrics(service.spec().httpPort());
        figures.put("max_gc_pause_ms", Math.round(metrics.max("jvm_gc_pause_seconds_max", "") * 1_000_000) / 1000.0);
        figures.put("rss_mb", Benchmarks.residentBytes(service.handle().pid()) >> 20);
        return figures;
    }
}
