package io.recsys.benchmarks;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import io.recsys.contracts.events.v1.UpsertItemsRequest;
import io.recsys.contracts.features.v1.FeatureServiceGrpc;
import io.recsys.contracts.features.v1.GetFeaturesRequest;
import io.recsys.localstack.LocalStack;
import io.recsys.localstack.StackConfig;
import io.recsys.localstack.StackPorts;
import io.recsys.localstack.StackRedis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * GetFeatures latency for one user plus 100 or 1,000 items, closed-loop from 1 and from several client threads, against
 * a feature store filled through the real ingestion path.
 */
final class FeatureReadBenchmark {

    private final Path root;
    private final int seconds;
    private final int warmUpSeconds;
    private final List<Integer> threadCounts;
    private final int users;
    private final int items;
    private final int events;

    FeatureReadBenchmark(Path root, BenchOptions options) {
        this.root = root;
        this.seconds = options.intValue("seconds", 15);
        // at 5 s the service's C2 compiler still took 30-80 % of a core while measuring (top -H): start-up, not the
        // steady state the read goals are about
        this.warmUpSeconds = options.intValue("warmup-seconds", 30);
        this.threadCounts = options.intList("threads", List.of(1, 4));
        this.users = options.intValue("users", 20_000);
        this.items = options.intValue("items", 10_000);
        this.events = options.intValue("events", 200_000);
    }

    BenchmarkReport run() throws Exception {
        StackConfig config = new StackConfig(
                root,
                StackPorts.free(),
                new StackRedis.Embedded(),
                Optional.empty(),
                root.resolve("benchmarks/target/bench-stack"),
                Benchmarks.serviceJvm(),
                Set.of("ingestion-service", "feature-service"));
        try (LocalStack stack = LocalStack.start(config, System.out::println);
                RedisProbe redis =
                        new RedisProbe("127.0.0.1", stack.redis().orElseThrow().port())) {
            int ingestionPort =
                    Benchmarks.service(stack, "ingestion-service").spec().grpcPort();
            int featurePort =
                    Benchmarks.service(stack, "feature-service").spec().grpcPort();
            ServiceMetrics featureMetrics = new ServiceMetrics(
                    Benchmarks.service(stack, "feature-service").spec().managementPort());
            SyntheticEvents generator = new SyntheticEvents(users, items, 11);
            populate(ingestionPort, generator, featureMetrics);

            Map<String, Object> setup = new LinkedHashMap<>();
            setup.put("users", users);
            setup.put("items", items);
            setup.put("events_applied", events);
            setup.put("measure_seconds", seconds);
            setup.put("warm_up_seconds", warmUpSeconds);
            setup.put("client", "closed loop, blocking stubs, one shared channel, same machine");
            setup.put(
                    "redis",
                    redis.version() + " ("
                            + stack.redis().orElseThrow().binary().description() + ")");
            setup.put("service_jvm", Benchmarks.serviceJvm());
            BenchmarkReport report = new BenchmarkReport("features", setup);

            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", featurePort)
                    .usePlaintext()
                    .maxInboundMessageSize(64 * 1024 * 1024)
                    .build();
            for (int itemsPerRequest : List.of(100, 1000)) {
                for (int threads : threadCounts) {
                    report.add(
                            "user_plus_" + itemsPerRequest + "_items_" + threads + "_threads",
                            measure(
                                    FeatureServiceGrpc.newBlockingStub(channel),
                                    itemsPerRequest,
                                    threads,
                                    featureMetrics));
                }
            }
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            return report;
        }
    }

    private void populate(int ingestionPort, SyntheticEvents generator, ServiceMetrics featureMetrics)
            throws Exception {
        System.out.println("filling the feature store: " + items + " catalog items, " + events + " events ...");
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", ingestionPort)
                .usePlaintext()
                .build();
        IngestionServiceGrpc.IngestionServiceBlockingStub ingestion = IngestionServiceGrpc.newBlockingStub(channel);
        for (int from = 0; from < items; from += 1000) {
            UpsertItemsRequest.Builder batch = UpsertItemsRequest.newBuilder();
            for (int i = from; i < Math.min(from + 1000, items); i++) {
                batch.addItems(Item.newBuilder()
                        .setItemId("i" + i)
                        .setTitle("Item " + i)
                        .setCategory("c" + (i % 20))
                        .setPrice(1 + i % 50)
                        .setCurrency("GBP")
                        .putAttributes("colour", i % 2 == 0 ? "red" : "blue"));
            }
            ingestion.withDeadlineAfter(30, TimeUnit.SECONDS).upsertItems(batch.build());
        }
        for (var batch : generator.batches("fill-", events, 1000)) {
            ingestion.withDeadlineAfter(30, TimeUnit.SECONDS).ingestEvents(batch);
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (featureMetrics.counter("recsys_feature_log_applied_total", "") < events + items) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the feature-service did not apply the fill within 3 minutes");
            }
            Thread.sleep(100);
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private Map<String, Object> measure(
            FeatureServiceGrpc.FeatureServiceBlockingStub stub,
            int itemsPerRequest,
            int threads,
            ServiceMetrics serverMetrics)
            throws Exception {
        Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(10), 3);
        AtomicBoolean recording = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong requests = new AtomicLong();
        AtomicLong itemsFound = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            SyntheticEvents own = new SyntheticEvents(users, items, 100 + t);
            workers.add(Thread.ofPlatform().name("reader-" + t).start(() -> {
                while (running.get()) {
                    GetFeaturesRequest.Builder request =
                            GetFeaturesRequest.newBuilder().setUserId(own.user());
                    for (int i = 0; i < itemsPerRequest; i++) {
                        request.addItemIds(own.item());
                    }
                    GetFeaturesRequest built = request.build();
                    long started = System.nanoTime();
                    var response = stub.withDeadlineAfter(10, TimeUnit.SECONDS).getFeatures(built);
                    long micros = Math.max(1, (System.nanoTime() - started) / 1_000);
                    if (recording.get()) {
                        latency.recordValue(micros);
                        requests.incrementAndGet();
                        itemsFound.addAndGet(response.getItemsCount());
                    }
                }
            }));
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmUpSeconds));
        double serverSecondsBefore = serverMetrics.counter("grpc_server_seconds_sum", "rpc_method=\"GetFeatures\"");
        double serverCallsBefore = serverMetrics.counter("grpc_server_seconds_count", "rpc_method=\"GetFeatures\"");
        recording.set(true);
        long started = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        recording.set(false);
        double serverSeconds =
                serverMetrics.counter("grpc_server_seconds_sum", "rpc_method=\"GetFeatures\"") - serverSecondsBefore;
        double serverCalls =
                serverMetrics.counter("grpc_server_seconds_count", "rpc_method=\"GetFeatures\"") - serverCallsBefore;
        double elapsed = (System.nanoTime() - started) / 1e9;
        running.set(false);
        for (Thread worker : workers) {
            worker.join();
        }
        Map<String, Object> figures = new LinkedHashMap<>(BenchmarkReport.latency(latency));
        figures.put("requests_per_second", Math.round(requests.get() / elapsed));
        figures.put("item_features_per_second", Math.round(itemsFound.get() / elapsed));
        // the service's own time per call (its gRPC server metric), to tell it from client and transport time
        figures.put("server_mean_ms", serverCalls == 0 ? 0 : Math.round(serverSeconds / serverCalls * 100_000) / 100.0);
        return figures;
    }
}
