package io.recsys.benchmarks;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.recommend.v1.RecommendationServiceGrpc;
import io.recsys.localstack.LocalStack;
import io.recsys.localstack.StackConfig;
import io.recsys.localstack.StackPorts;
import io.recsys.localstack.StackRedis;
import io.recsys.localstack.demo.DemoDataSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The gateway's edge on the whole platform: per-client fairness (a polite client at half its limit, alone and then
 * beside a client flooding at ten times its own) and the edge's own cost (the same recommendation asked directly of the
 * recommendation-service over gRPC and through the gateway, alternately, one caller).
 */
final class EdgeBenchmark {

    private static final String BENCH_KEY = "bench-key-0123456789abcdef";
    private static final String POLITE_KEY = "polite-key-0123456789abcdef";
    private static final String FLOODER_KEY = "flooder-key-0123456789abcdef";

    private final Path root;
    private final int limit;
    private final int politeRate;
    private final int floodFactor;
    private final int seconds;
    private final int warmUpSeconds;
    private final int overheadSeconds;
    private final boolean rateLimit;

    EdgeBenchmark(Path root, BenchOptions options) {
        this.root = root;
        this.limit = options.intValue("limit", 50);
        this.politeRate = options.intValue("polite-rate", limit / 2);
        this.floodFactor = options.intValue("flood-factor", 10);
        this.seconds = options.intValue("seconds", 30);
        this.warmUpSeconds = options.intValue("warm-up-seconds", 90);
        this.overheadSeconds = options.intValue("overhead-seconds", 30);
        // off: what the edge costs without its Redis bucket lookup (the fairness phases then limit nobody)
        this.rateLimit = options.intValue("rate-limit", 1) == 1;
    }

    BenchmarkReport run() throws Exception {
        List<String> gateway = List.of(
                "--recsys.gateway.rate-limit.enabled=" + rateLimit,
                StackConfig.GATEWAY_API_KEYS_ARGUMENT + BENCH_KEY,
                "--recsys.gateway.auth.clients.polite.api-keys=" + POLITE_KEY,
                "--recsys.gateway.auth.clients.flooder.api-keys=" + FLOODER_KEY,
                // the benchmark's own client (warm-up, edge cost) is not what is limited
                "--recsys.gateway.rate-limit.clients.default.requests-per-second=100000",
                "--recsys.gateway.rate-limit.clients.default.burst=100000",
                "--recsys.gateway.rate-limit.clients.polite.requests-per-second=" + limit,
                "--recsys.gateway.rate-limit.clients.polite.burst=" + 2 * limit,
                "--recsys.gateway.rate-limit.clients.flooder.requests-per-second=" + limit,
                "--recsys.gateway.rate-limit.clients.flooder.burst=" + 2 * limit);
        StackConfig config = new StackConfig(
                root,
                StackPorts.free(),
                new StackRedis.Embedded(),
                Optional.of(DemoDataSpec.standard()),
                root.resolve("benchmarks/target/bench-stack"),
                Benchmarks.serviceJvm(),
                StackConfig.ALL_SERVICES,
                Map.of("gateway", gateway));
        try (LocalStack stack = LocalStack.start(config, System.out::println)) {
            URI url = stack.gatewayUrl();
            int users = DemoDataSpec.standard().users();
            Map<String, Object> setup = new LinkedHashMap<>();
            setup.put("demo_data", DemoDataSpec.standard().toString());
            setup.put("limit_per_client", limit + " requests/s, burst " + 2 * limit);
            setup.put("polite_rate", politeRate);
            setup.put("flood_rate", limit * floodFactor);
            setup.put("seconds_per_phase", seconds);
            setup.put("rate_limit_enabled", rateLimit);
            setup.put("warm_up_seconds", warmUpSeconds);
            setup.put("client", "this process, open loop (requests on a schedule, latency from when each was due)");
            setup.put("service_jvm", Benchmarks.serviceJvm());
            BenchmarkReport report = new BenchmarkReport("edge", setup);

            // both paths the flood takes (an answer, a 429) compiled before anything is measured
            runTogether(
                    new Load("warm-up", BENCH_KEY, politeRate, url, users),
                    new Load("warm-up-flood", FLOODER_KEY, limit * floodFactor, url, users),
                    warmUpSeconds);

            Load alone = new Load("polite", POLITE_KEY, politeRate, url, users);
            runTogether(alone, null, seconds);
            report.add("polite_alone", alone.figures());

            Load polite = new Load("polite", POLITE_KEY, politeRate, url, users);
            Load flooder = new Load("flooder", FLOODER_KEY, limit * floodFactor, url, users);
            runTogether(polite, flooder, seconds);
            report.add("polite_beside_flooder", polite.figures());
            report.add("flooder", flooder.figures());

            // the same work admitted without the refused excess: how much of the difference is the flood's 429s and
            // how much the flooder's admitted share of real recommendations
            Load besideAtLimit = new Load("polite", POLITE_KEY, politeRate, url, users);
            Load atLimit = new Load("flooder", FLOODER_KEY, limit, url, users);
            runTogether(besideAtLimit, atLimit, seconds);
            report.add("polite_beside_flooder_at_its_limit", besideAtLimit.figures());
            report.add("flooder_at_its_limit", atLimit.figures());

            Load aloneAgain = new Load("polite", POLITE_KEY, politeRate, url, users);
            runTogether(aloneAgain, null, seconds);
            report.add("polite_alone_again", aloneAgain.figures());

            Map<String, Object> fairness = new LinkedHashMap<>();
            double share = polite.successShare();
            double ratio = polite.p99Millis() / alone.p99Millis();
            fairness.put("polite_2xx_share", round(share, 4));
            fairness.put("polite_p99_beside_flooder_over_alone", round(ratio, 3));
            fairness.put(
                    "polite_p99_beside_flooder_at_its_limit_over_alone",
                    round(besideAtLimit.p99Millis() / alone.p99Millis(), 3));
            fairness.put("goal_2xx_share_at_least_0_99", share >= 0.99);
            fairness.put("goal_p99_within_20_percent", ratio <= 1.2);
            report.add("fairness", fairness);

            report.add("edge_cost", edgeCost(url, config.ports().recommendationGrpc(), users));
            return report;
        }
    }

    private Map<String, Object> edgeCost(URI url, int recommendationGrpcPort, int users) throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", recommendationGrpcPort)
                .usePlaintext()
                .build();
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Histogram direct = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(30), 3);
        Histogram edge = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(30), 3);
        long failures = 0;
        try {
            RecommendationServiceGrpc.RecommendationServiceBlockingStub stub =
                    RecommendationServiceGrpc.newBlockingStub(channel);
            Random random = new Random(11);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(overheadSeconds);
            while (System.nanoTime() < end) {
                String user = String.format("user-%05d", 1 + random.nextInt(users));
                long started = System.nanoTime();
                stub.withDeadlineAfter(500, TimeUnit.MILLISECONDS)
                        .recommend(RecommendRequest.newBuilder()
                                .setUserId(user)
                                .setLimit(10)
                                .build());
                direct.recordValue(Math.max(1, (System.nanoTime() - started) / 1_000));
                started = System.nanoTime();
                HttpResponse<byte[]> response = http.send(
                        HttpRequest.newBuilder(url.resolve("/api/v1/users/" + user + "/recommendations?limit=10"))
                                .header("X-Api-Key", BENCH_KEY)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() == 200) {
                    edge.recordValue(Math.max(1, (System.nanoTime() - started) / 1_000));
                } else {
                    failures++;
                }
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("pairs", direct.getTotalCount());
        figures.put("direct_grpc", BenchmarkReport.latency(direct));
        figures.put("through_gateway", BenchmarkReport.latency(edge));
        figures.put("gateway_failures", failures);
        double added = (edge.getValueAtPercentile(50) - direct.getValueAtPercentile(50)) / 1000.0;
        figures.put("p50_added_ms", round(added, 3));
        figures.put("goal_p50_added_at_most_0_3_ms", added <= 0.3);
        return figures;
    }

    private static void runTogether(Load first, Load second, int seconds) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (Load load : second == null ? List.of(first) : List.of(first, second)) {
            threads.add(Thread.ofPlatform().name(load.name).start(() -> load.run(seconds)));
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    /** One client's open-loop load: requests on a schedule, whatever the answers do. */
    private static final class Load {
        final String name;
        private final String key;
        private final int rate;
        private final URI gateway;
        private final int users;
        private final HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .executor(Executors.newFixedThreadPool(2))
                .build();
        private final Histogram answered = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(30), 2);
        private final AtomicLong offered = new AtomicLong();
        private final AtomicLong ok = new AtomicLong();
        private final AtomicLong limited = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();

        Load(String name, String key, int rate, URI gateway, int users) {
            this.name = name;
            this.key = key;
            this.rate = rate;
            this.gateway = gateway;
            this.users = users;
        }

        void run(int seconds) {
            Random random = new Random(name.hashCode());
            List<CompletableFuture<?>> pending = new ArrayList<>();
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long interval = 1_000_000_000L / rate;
            for (long due = start; due < end; due += interval) {
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                long intended = due;
                offered.incrementAndGet();
                String user = String.format("user-%05d", 1 + random.nextInt(users));
                HttpRequest request = HttpRequest.newBuilder(
                                gateway.resolve("/api/v1/users/" + user + "/recommendations?limit=10"))
                        .header("X-Api-Key", key)
                        .timeout(Duration.ofSeconds(5))
                        .build();
                pending.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                        .whenComplete((response, error) -> {
                            if (error != null) {
                                failed.incrementAndGet();
                            } else if (response.statusCode() == 200) {
                                ok.incrementAndGet();
                                answered.recordValue(Math.min(
                                        Math.max(1, (System.nanoTime() - intended) / 1_000),
                                        TimeUnit.SECONDS.toMicros(30)));
                            } else if (response.statusCode() == 429) {
                                limited.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                            }
                        }));
            }
            pending.forEach(future -> {
                try {
                    future.join();
                } catch (RuntimeException e) {
                    // counted as failed above
                }
            });
        }

        double successShare() {
            return offered.get() == 0 ? 0 : ok.get() / (double) offered.get();
        }

        double p99Millis() {
            return answered.getValueAtPercentile(99) / 1000.0;
        }

        Map<String, Object> figures() {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("rate", rate);
            figures.put("offered", offered.get());
            figures.put("ok_2xx", ok.get());
            figures.put("limited_429", limited.get());
            figures.put("failed", failed.get());
            figures.put("ok_share", round(successShare(), 4));
            figures.put("ok_latency", BenchmarkReport.latency(answered));
            return figures;
        }
    }
}
