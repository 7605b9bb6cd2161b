package io.recsys.benchmarks;

import io.recsys.localstack.LocalStack;
import io.recsys.localstack.ServiceProcess;
import io.recsys.localstack.StackConfig;
import io.recsys.localstack.StackPorts;
import io.recsys.localstack.StackRedis;
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
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The whole platform on this machine, load from this process through the gateway, in the order a shop meets it: one
 * closed-loop client (no think time) right after start, a warm-up at the steady rate, a steady open-loop load at the
 * goal's rate (100 requests/s by default), saturation at full depth (closed loop, {@code max_depth=full}), an overload
 * ramped to 4x that saturation, held and dropped, and the inference-service stopped and restarted under the steady
 * load; per second offered and served rate, p99, depth shares and errors, with PNG charts; each service's peak resident
 * memory and longest GC pause over the whole run.
 */
final class RecommendationBenchmark {

    private final Path root;
    private final int saturationSeconds;
    private final int steadySeconds;
    private final int steadyRate;
    private final int singleClientSeconds;
    private final int callers;
    private final int warmUpSeconds;

    RecommendationBenchmark(Path root, BenchOptions options) {
        this.root = root;
        this.saturationSeconds = options.intValue("saturation-seconds", 10);
        this.steadySeconds = options.intValue("steady-seconds", 30);
        this.steadyRate = options.intValue("steady-rate", 100);
        this.singleClientSeconds = options.intValue("single-client-seconds", 15);
        this.callers = options.intValue("callers", 8);
        this.warmUpSeconds = options.intValue("warm-up-seconds", 240);
    }

    BenchmarkReport run() throws Exception {
        Path work = root.resolve("benchmarks/target/bench-stack");
        StackConfig config = new StackConfig(
                root,
                StackPorts.free(),
                new StackRedis.Embedded(),
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
                    "this process: closed loop (1 caller, then " + callers
                            + " callers with max_depth=full), open loop (requests on a schedule) otherwise");
            setup.put("service_jvm", Benchmarks.serviceJvm());
            setup.put("steady_rate", steadyRate);
            setup.put("warm_up_seconds", warmUpSeconds);
            BenchmarkReport report = new BenchmarkReport("recommendations", setup);
            String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                    .withZone(ZoneOffset.UTC)
                    .format(Instant.now());
            Path charts = Files.createDirectories(root.resolve("bench-results"));
            Footprints footprints = new Footprints();
            footprints.sample(stack.services());

            // the platform as ./recsys start hands it over: one shopper asking again and again is not load
            ServiceMetrics recommendation = new ServiceMetrics(
                    Benchmarks.service(stack, "recommendation-service").spec().managementPort());
            ServiceSide singleSide = ServiceSide.begin(recommendation, stack.services());
            Map<String, Object> single = closedLoop(gateway, users, 1, singleClientSeconds, "");
            singleSide.addTo(single, (Long) single.get("count"));
            report.add("single_client_closed_loop", single);
            footprints.sample(stack.services());

            // five JVMs compiling their hot paths share two cores for the first minutes (the warm-up's figures say how
            // much of their CPU went to the JIT compilers): the steady figures are of warm services, as a service runs
            // for days, and the cold start's own figures are reported too
            OpenLoad load = new OpenLoad(gateway, users);
            if (warmUpSeconds > 0) {
                ServiceSide warmUpSide = ServiceSide.begin(recommendation, stack.services());
                Map<String, Object> warmUp =
                        summary(load.run(warmUpSeconds, t -> steadyRate, second -> {}), steadyRate);
                warmUpSide.addTo(warmUp, (Long) warmUp.get("served"));
                report.add("warm_up_open_loop", warmUp);
            }
            ServiceSide steadySide = ServiceSide.begin(recommendation, stack.services());
            OpenLoad.Result steady = load.run(steadySeconds, t -> steadyRate, second -> {});
            Map<String, Object> steadyFigures = summary(steady, steadyRate);
            steadySide.addTo(steadyFigures, (Long) steadyFigures.get("served"));
            report.add("steady_open_loop", steadyFigures);
            footprints.sample(stack.services());

            ServiceSide saturationSide = ServiceSide.begin(recommendation, stack.services());
            Map<String, Object> saturation = closedLoop(gateway, users, callers, saturationSeconds, "&max_depth=full");
            saturationSide.addTo(saturation, (Long) saturation.get("count"));
            report.add("saturation_at_full", saturation);
            footprints.sample(stack.services());
            double saturated = ((Number) saturation.get("requests_per_second")).doubleValue();

            // overload: 10 s at the steady rate, 10 s ramp to 4x saturation, 20 s at 4x, then 20 s at the steady rate
            double high = Math.max(4 * saturated, steadyRate);
            OpenLoad.Result overload = load.run(
                    60,
                    t -> t < 10
                            ? steadyRate
                            : t < 20 ? steadyRate + (high - steadyRate) * (t - 10) / 10 : t < 40 ? high : steadyRate,
                    second -> {
                        if (second == 35) {
                            // off the load's own thread, as below
                            Thread.ofPlatform().start(() -> footprints.sampleQuietly(stack.services()));
                        }
                    });
            Map<String, Object> overloadFigures = summary(overload, high);
            overloadFigures.put("p99_ms_during_4x", p99Between(overload, 20, 40));
            overloadFigures.put("seconds_after_drop_until_full", recovery(overload, 40));
            overloadFigures.put("per_second", perSecond(overload));
            report.add("overload_4x", overloadFigures);
            footprints.sample(stack.services());
            Charts.write(
                    charts.resolve("recommendations-overload-" + stamp + ".png"),
                    "Overload: steady -> 4x saturation -> steady",
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

            // the restarted inference-service is a new process: its figures start again, the first one's are kept
            List<ServiceProcess> live = new ArrayList<>(stack.services());
            if (restarted.get() != null) {
                live.replaceAll(s -> s == inference ? restarted.get() : s);
            }
            footprints.sample(live);
            report.add("service_footprint", footprints.figures());
            if (restarted.get() != null) {
                restarted.get().stop();
            }
            System.out.println("charts: bench-results/recommendations-*-" + stamp + ".png");
            return report;
        }
    }

    /**
     * {@code callers} threads, each asking again as soon as it has its answer.
     *
     * @param query added to each request's query string
     */
    static Map<String, Object> closedLoop(URI gateway, int users, int callers, int seconds, String query)
            throws Exception {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(30), 2);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong served = new AtomicLong();
        AtomicLong failed = new AtomicLong();
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
                                HttpRequest.newBuilder(gateway.resolve(
                                                "/api/v1/users/" + user + "/recommendations?limit=10" + query))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding());
                        if (response.statusCode() != 200) {
                            failed.incrementAndGet();
                            continue;
                        }
                        latency.recordValue(Math.max(1, (System.nanoTime() - started) / 1_000));
                        served.incrementAndGet();
                        if (response.headers()
                                .firstValue("X-Prediction-Depth")
                                .filter("full"::equals)
                                .isPresent()) {
                            full.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
        Map<String, Object> figures = new LinkedHashMap<>(BenchmarkReport.latency(latency));
        figures.put("requests_per_second", Math.round(served.get() / (double) seconds));
        figures.put("full_per_second", Math.round(full.get() / (double) seconds));
        figures.put("share_full", served.get() == 0 ? 0 : Math.round(100.0 * full.get() / served.get()) / 100.0);
        figures.put("errors", failed.get());
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
        figures.put("errors_by_kind", result.errorsByKind());
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

    /** What a scenario cost on the service side: the stage timers' means and each process's CPU per answer. */
    private record ServiceSide(
            ServiceMetrics recommendation, List<ServiceProcess> services, StageTimes stages, CpuTimes cpu) {

        static ServiceSide begin(ServiceMetrics recommendation, List<ServiceProcess> services)
                throws IOException, InterruptedException {
            return new ServiceSide(recommendation, services, StageTimes.read(recommendation), CpuTimes.read(services));
        }

        void addTo(Map<String, Object> figures, long answers) throws IOException, InterruptedException {
            figures.put("service_side_mean_ms", StageTimes.read(recommendation).meanSince(stages));
            figures.put("cpu_ms_per_answer", CpuTimes.read(services).perAnswerSince(cpu, answers));
        }
    }

    /** The recommendation-service's own timers: each pipeline stage, and whole answers per depth. */
    private record StageTimes(Map<String, Double> sums, Map<String, Double> counts) {

        static StageTimes read(ServiceMetrics metrics) throws IOException, InterruptedException {
            Map<String, Double> sums = new LinkedHashMap<>();
            Map<String, Double> counts = new LinkedHashMap<>();
            metrics.byLabel("recsys_recommendation_stage_seconds_sum", "stage")
                    .forEach((k, v) -> sums.put("stage_" + k, v));
            metrics.byLabel("recsys_recommendation_stage_seconds_count", "stage")
                    .forEach((k, v) -> counts.put("stage_" + k, v));
            metrics.byLabel("recsys_recommendation_pipeline_seconds_sum", "depth")
                    .forEach((k, v) -> sums.put("answer_" + k, v));
            metrics.byLabel("recsys_recommendation_pipeline_seconds_count", "depth")
                    .forEach((k, v) -> counts.put("answer_" + k, v));
            return new StageTimes(sums, counts);
        }

        /** Mean milliseconds of each timer over what was recorded since {@code earlier}. */
        Map<String, Object> meanSince(StageTimes earlier) {
            Map<String, Object> means = new LinkedHashMap<>();
            sums.forEach((key, sum) -> {
                double count = counts.getOrDefault(key, 0.0) - earlier.counts().getOrDefault(key, 0.0);
                if (count > 0) {
                    double seconds = sum - earlier.sums().getOrDefault(key, 0.0);
                    means.put(key, Math.round(seconds / count * 1_000_000) / 1000.0);
                }
            });
            return means;
        }
    }

    /**
     * Each service's peak resident memory and longest GC pause, sampled after every scenario (and during the overload's
     * hold): a service's own maximum pause forgets after a couple of minutes, a run lasts longer.
     */
    private static final class Footprints {
        private final Map<String, Long> peakRssMb = new ConcurrentSkipListMap<>();
        private final Map<String, Double> longestPauseMs = new ConcurrentSkipListMap<>();

        void sample(List<ServiceProcess> services) throws IOException, InterruptedException {
            for (ServiceProcess service : services) {
                if (!service.handle().isAlive()) {
                    continue;
                }
                String module = service.spec().module();
                peakRssMb.merge(
                        module, Benchmarks.residentBytes(service.handle().pid()) >> 20, Math::max);
                double pause = new ServiceMetrics(service.spec().managementPort()).max("jvm_gc_pause_seconds_max", "");
                longestPauseMs.merge(module, Math.round(pause * 1_000_000) / 1000.0, Math::max);
            }
        }

        void sampleQuietly(List<ServiceProcess> services) {
            try {
                sample(services);
            } catch (IOException e) {
                // a service too busy to answer its metrics: the next sample has it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        Map<String, Object> figures() {
            Map<String, Object> figures = new LinkedHashMap<>();
            peakRssMb.forEach((module, rss) -> {
                Map<String, Object> service = new LinkedHashMap<>();
                service.put("peak_rss_mb", rss);
                service.put("max_gc_pause_ms", longestPauseMs.getOrDefault(module, 0.0));
                figures.put(module, service);
            });
            return figures;
        }
    }
}
