package io.recsys.benchmarks;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.recsys.contracts.inference.v1.InferenceServiceGrpc;
import io.recsys.contracts.inference.v1.RankCandidate;
import io.recsys.contracts.inference.v1.RankRequest;
import io.recsys.contracts.inference.v1.RecentItems;
import io.recsys.contracts.inference.v1.RetrieveRequest;
import io.recsys.localstack.ServiceProcess;
import io.recsys.localstack.ServiceSpec;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Rank and Retrieve through gRPC on loopback against the inference-service as a separate process: rows/s and latency
 * for requests of 1, 100 and 500 candidates from 1 to 64 concurrent callers (closed loop), a 500-candidate open-loop
 * run at half of the measured saturation rate, Retrieve latency over 10k and 100k items, and the service's resident
 * memory and longest GC pause.
 */
final class InferenceBenchmark {

    private final Path root;
    private final int seconds;
    private final int warmUpSeconds;
    private final List<Integer> candidateCounts;
    private final List<Integer> concurrency;
    private final List<Integer> catalogues;

    InferenceBenchmark(Path root, BenchOptions options) {
        this.root = root;
        this.seconds = options.intValue("seconds", 5);
        this.warmUpSeconds = options.intValue("warmup-seconds", 2);
        this.candidateCounts = options.intList("candidates", List.of(1, 100, 500));
        this.concurrency = options.intList("concurrency", List.of(1, 2, 8, 64));
        this.catalogues = options.intList("catalogues", List.of(100_000, 10_000));
    }

    BenchmarkReport run() throws Exception {
        Path demo = BenchmarkBundles.demoBundle(root);
        Path work = root.resolve("benchmarks/target/bench-inference");
        Path models = work.resolve("models");
        deleteRecursively(models);
        for (int items : catalogues) {
            BenchmarkBundles.writeCatalogue(demo, models, "catalog-" + items, items, items);
        }
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put(
                "ranker",
                "the demo bundle's ranker (" + demo.getFileName() + "): MLP " + BenchmarkBundles.inputWidth(demo)
                        + " -> 128 -> 64 -> 1 with ReLU, log1p and standardisation inside the graph");
        setup.put("catalogues", catalogues);
        setup.put("measure_seconds", seconds);
        setup.put("warm_up_seconds", warmUpSeconds);
        setup.put(
                "client",
                "same machine, one shared channel; closed loop with blocking stubs; open loop with a future stub");
        setup.put("service_jvm", Benchmarks.inferenceServiceJvm());
        BenchmarkReport report = new BenchmarkReport("inference", setup);
        boolean first = true;
        for (int items : catalogues) {
            try (Service service = Service.start(root, work, models, "catalog-" + items)) {
                if (first) {
                    rankScenarios(service, items, report);
                    first = false;
                }
                Map<String, Object> retrieve = retrieve(service, items, 1);
                retrieve.putAll(service.footprint());
                report.add("retrieve_" + items + "_items_1_caller", retrieve);
            }
        }
        return report;
    }

    private void rankScenarios(Service service, int items, BenchmarkReport report) throws Exception {
        Map<Integer, Double> saturation = new LinkedHashMap<>();
        for (int candidates : candidateCounts) {
            RankRequest request = rankRequest(candidates, items, candidates);
            for (int callers : concurrency) {
                Map<String, Object> figures = closedLoop(service, request, callers);
                saturation.merge(candidates, ((Number) figures.get("requests_per_second")).doubleValue(), Math::max);
                report.add("rank_" + candidates + "_candidates_" + callers + "_callers", figures);
            }
        }
        if (saturation.containsKey(500)) {
            double rate = saturation.get(500) / 2;
            Map<String, Object> figures = openLoop(service, rankRequest(500, items, 7), rate);
            figures.putAll(service.footprint());
            report.add("rank_500_candidates_open_loop_at_half_saturation", figures);
        }
    }

    private static RankRequest rankRequest(int candidates, int items, long seed) {
        Random random = new Random(seed);
        RecentItems.Builder recent = RecentItems.newBuilder();
        for (int i = 0; i < 10; i++) {
            recent.addItemIds("i" + random.nextInt(items));
        }
        RankRequest.Builder request = RankRequest.newBuilder()
                .setRecentItems(recent)
                .addUserFeatures(40); // user_events, the demo bundle's one user feature
        for (int c = 0; c < candidates; c++) {
            request.addCandidates(RankCandidate.newBuilder()
                    .setItemId("i" + random.nextInt(items))
                    .addFeatures(random.nextInt(50))
                    .addFeatures(random.nextInt(5000))
                    .addFeatures(random.nextFloat() * 300)
                    .addFeatures(random.nextFloat() * 60)
                    .addFeatures(1 + random.nextFloat() * 20));
        }
        return request.build();
    }

    private Map<String, Object> closedLoop(Service service, RankRequest request, int callers) throws Exception {
        Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(10), 3);
        AtomicBoolean recording = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong requests = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            threads.add(Thread.ofPlatform().name("rank-caller-" + t).start(() -> {
                var stub = InferenceServiceGrpc.newBlockingStub(service.channel());
                while (running.get()) {
                    long started = System.nanoTime();
                    try {
                        stub.withDeadlineAfter(10, TimeUnit.SECONDS).rank(request);
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                        continue;
                    }
                    if (recording.get()) {
                        latency.recordValue(Math.max(1, (System.nanoTime() - started) / 1_000));
                        requests.incrementAndGet();
                    }
                }
            }));
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmUpSeconds));
        double rowsBefore = service.metrics().counter("recsys_inference_batch_rows_sum", "");
        double batchesBefore = service.metrics().counter("recsys_inference_batch_rows_count", "");
        recording.set(true);
        long started = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        recording.set(false);
        double elapsed = (System.nanoTime() - started) / 1e9;
        double rows = service.metrics().counter("recsys_inference_batch_rows_sum", "") - rowsBefore;
        double batches = service.metrics().counter("recsys_inference_batch_rows_count", "") - batchesBefore;
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
        Map<String, Object> figures = new LinkedHashMap<>(BenchmarkReport.latency(latency));
        figures.put("requests_per_second", Math.round(requests.get() / elapsed));
        figures.put("rows_per_second", Math.round(requests.get() * (double) request.getCandidatesCount() / elapsed));
        figures.put("mean_rows_per_model_call", batches == 0 ? 0 : Math.round(rows / batches * 10) / 10.0);
        figures.put("failed_calls", failures.get());
        return figures;
    }

    /** Requests sent on a fixed schedule; latency counts from when each was due, so a stall is not hidden. */
    private Map<String, Object> openLoop(Service service, RankRequest request, double ratePerSecond) throws Exception {
        Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(10), 3);
        AtomicLong failures = new AtomicLong();
        var stub = InferenceServiceGrpc.newFutureStub(service.channel());
        long interval = (long) (1e9 / ratePerSecond);
        long warmUpEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmUpSeconds);
        long end = warmUpEnd + TimeUnit.SECONDS.toNanos(seconds);
        long due = System.nanoTime();
        long sent = 0;
        while (due < end) {
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            long intended = due;
            boolean record = intended >= warmUpEnd;
            var call = stub.withDeadlineAfter(10, TimeUnit.SECONDS).rank(request);
            call.addListener(
                    () -> {
                        try {
                            call.get();
                            if (record) {
                                latency.recordValue(Math.max(1, (System.nanoTime() - intended) / 1_000));
                            }
                        } catch (Exception e) {
                            failures.incrementAndGet();
                        }
                    },
                    MoreExecutors.directExecutor());
            if (record) {
                sent++;
            }
            due += interval;
        }
        Thread.sleep(2_000);
        Map<String, Object> figures = new LinkedHashMap<>(BenchmarkReport.latency(latency));
        figures.put("target_requests_per_second", Math.round(ratePerSecond));
        figures.put("target_rows_per_second", Math.round(ratePerSecond * request.getCandidatesCount()));
        figures.put("sent", sent);
        figures.put("failed_calls", failures.get());
        return figures;
    }

    private Map<String, Object> retrieve(Service service, int items, int callers) throws Exception {
        Random random = new Random(5);
        List<RetrieveRequest> requests = new ArrayList<>();
        for (int r = 0; r < 64; r++) {
            RecentItems.Builder recent = RecentItems.newBuilder();
            for (int i = 0; i < 20; i++) {
                recent.addItemIds("i" + random.nextInt(items));
            }
            requests.add(RetrieveRequest.newBuilder()
                    .setRecentItems(recent)
                    .setTopK(100)
                    .addAllExcludeItemIds(recent.getItemIdsList())
                    .build());
        }
        Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(10), 3);
        var stub = InferenceServiceGrpc.newBlockingStub(service.channel());
        long warmUpEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmUpSeconds);
        long end = warmUpEnd + TimeUnit.SECONDS.toNanos(seconds);
        long count = 0;
        for (int i = 0; System.nanoTime() < end; i++) {
            long started = System.nanoTime();
            var response = stub.withDeadlineAfter(10, TimeUnit.SECONDS).retrieve(requests.get(i % requests.size()));
            if (response.getItemsCount() != 100) {
                throw new IllegalStateException(
                        "Retrieve answered " + response.getItemsCount() + " items, expected 100");
            }
            if (started >= warmUpEnd) {
                latency.recordValue(Math.max(1, (System.nanoTime() - started) / 1_000));
                count++;
            }
        }
        Map<String, Object> figures = new LinkedHashMap<>(BenchmarkReport.latency(latency));
        figures.put("requests_per_second", Math.round(count / (double) seconds));
        figures.put("top_k", 100);
        figures.put("callers", callers);
        return figures;
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (Files.exists(path)) {
            try (var walk = Files.walk(path)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** One inference-service process serving one bundle name, with its resident memory sampled while it runs. */
    private record Service(
            ServiceProcess process,
            ManagedChannel channel,
            ServiceMetrics metrics,
            AtomicLong maxResident,
            Thread sampler)
            implements AutoCloseable {

        static Service start(Path root, Path work, Path models, String name) throws IOException, InterruptedException {
            ServiceSpec spec = new ServiceSpec(
                    "inference-service",
                    freePort(),
                    freePort(),
                    List.of("--recsys.inference.model-dir=" + models, "--recsys.inference.model-name=" + name));
            ServiceProcess process = ServiceProcess.launch(spec, root, work, Benchmarks.inferenceServiceJvm());
            process.awaitReady(Duration.ofMinutes(2), HttpClient.newHttpClient());
            ServiceMetrics metrics = new ServiceMetrics(spec.managementPort());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (metrics.counter("recsys_inference_model_loads_total", "outcome=\"loaded\"") < 1) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " did not load; see " + process.logFile());
                }
                Thread.sleep(100);
            }
            AtomicLong maxResident = new AtomicLong();
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    maxResident.accumulateAndGet(resident(process.handle().pid()), Math::max);
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            System.out.println("inference-service serving " + name + " (pid "
                    + process.handle().pid() + ")");
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", spec.grpcPort())
                    .usePlaintext()
                    .build();
            return new Service(process, channel, metrics, maxResident, sampler);
        }

        Map<String, Object> footprint() throws IOException, InterruptedException {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("service_max_rss_mb", maxResident.get() >> 20);
            figures.put(
                    "service_max_gc_pause_ms",
                    Math.round(metrics.max("jvm_gc_pause_seconds_max", "") * 1_000_000) / 1000.0);
            return figures;
        }

        private static long resident(long pid) {
            try {
                return Benchmarks.residentBytes(pid);
            } catch (IOException e) {
                return 0;
            }
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0)) {
                return socket.getLocalPort();
            }
        }

        @Override
        public void close() throws InterruptedException {
            sampler.interrupt();
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            process.stop();
        }
    }
}
