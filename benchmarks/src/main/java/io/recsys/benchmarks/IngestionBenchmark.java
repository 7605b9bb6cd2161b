package io.recsys.benchmarks;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.recsys.contracts.events.v1.IngestEventsRequest;
import io.recsys.contracts.events.v1.IngestEventsResponse;
import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import io.recsys.contracts.platform.PlatformDefaults;
import io.recsys.localstack.LocalStack;
import io.recsys.localstack.ServiceProcess;
import io.recsys.localstack.StackConfig;
import io.recsys.localstack.StackPorts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Events/s acknowledged into Redis by the ingestion-service (its own JVM, real gRPC over loopback, client on the same
 * machine), for unary batches of 100 and 1,000 and for client streaming; how fast the feature-service applies them and
 * how far behind it falls; and what they cost in Redis memory.
 */
final class IngestionBenchmark {

    private static final String LOG = PlatformDefaults.EVENT_LOG_STREAM_KEY;
    private static final int WARM_UP_EVENTS = 60_000;

    private final Path root;
    private final int events;
    private final int concurrency;
    private final int streams;
    private final int users;
    private final int items;

    IngestionBenchmark(Path root, BenchOptions options) {
        this.root = root;
        this.events = options.intValue("events", 300_000);
        this.concurrency = options.intValue("concurrency", 8);
        this.streams = options.intValue("streams", 4);
        this.users = options.intValue("users", 100_000);
        this.items = options.intValue("items", 20_000);
    }

    private record Scenario(String name, int batchSize, boolean streaming) {}

    private record Outcome(long accepted, long notAccepted, double seconds, Histogram callLatency) {}

    BenchmarkReport run() throws Exception {
        StackConfig config = new StackConfig(
                root,
                StackPorts.free(),
                Optional.empty(),
                Optional.empty(),
                root.resolve("benchmarks/target/bench-stack"),
                Benchmarks.serviceJvm(),
                Set.of("ingestion-service", "feature-service"));
        try (LocalStack stack = LocalStack.start(config, System.out::println);
                RedisProbe redis =
                        new RedisProbe("127.0.0.1", stack.redis().orElseThrow().port())) {
            ServiceProcess ingestion = Benchmarks.service(stack, "ingestion-service");
            ServiceMetrics featureMetrics = new ServiceMetrics(
                    Benchmarks.service(stack, "feature-service").spec().httpPort());
            ManagedChannel channel = NettyChannelBuilder.forAddress(
                            "127.0.0.1", ingestion.spec().grpcPort())
                    .usePlaintext()
                    .build();
            IngestionServiceGrpc.IngestionServiceStub stub = IngestionServiceGrpc.newStub(channel);
            SyntheticEvents generator = new SyntheticEvents(users, items, 7);

            Map<String, Object> setup = new LinkedHashMap<>();
            setup.put("events_per_scenario", events);
            setup.put("unary_calls_in_flight", concurrency);
            setup.put("parallel_streams", streams);
            setup.put("users", users);
            setup.put("items", items);
            setup.put(
                    "redis",
                    redis.version() + " ("
                            + stack.redis().orElseThrow().binary().description() + ", no persistence)");
            setup.put("service_jvm", Benchmarks.serviceJvm());
            BenchmarkReport report = new BenchmarkReport("ingestion", setup);
            long memoryBefore = redis.usedMemory();

            System.out.println("warming up with " + WARM_UP_EVENTS + " events ...");
            unary(stub, generator.batches("warm-", WARM_UP_EVENTS, 1000));
            long expectedApplied = awaitApplied(featureMetrics, WARM_UP_EVENTS, Duration.ofMinutes(2))
                    .applied();

            for (Scenario scenario : List.of(
                    new Scenario("unary_batch_100", 100, false),
                    new Scenario("unary_batch_1000", 1000, false),
                    new Scenario("client_streaming_batch_1000", 1000, true))) {
                List<IngestEventsRequest> batches =
                        generator.batches(scenario.name() + "-", events, scenario.batchSize());
                Outcome outcome = scenario.streaming() ? streaming(stub, batches) : unary(stub, batches);
                double appliedAtEnd = featureMetrics.counter("recsys_features_log_entries_total", "result=\"applied\"");
                expectedApplied += outcome.accepted();
                long started = System.nanoTime();
                Catchup catchup = awaitApplied(featureMetrics, expectedApplied, Duration.ofMinutes(5));
                double catchUpSeconds = (System.nanoTime() - started) / 1e9;

                Map<String, Object> figures = new LinkedHashMap<>();
                figures.put("events_acknowledged", outcome.accepted());
                figures.put("events_not_accepted", outcome.notAccepted());
                figures.put("seconds", round(outcome.seconds()));
                figures.put("events_per_second", Math.round(outcome.accepted() / outcome.seconds()));
                if (outcome.callLatency() != null) {
                    figures.put("call_latency", BenchmarkReport.latency(outcome.callLatency()));
                }
                figures.put("consumer_lag_at_end_events", Math.round(expectedApplied - appliedAtEnd));
                figures.put("consumer_catch_up_seconds", round(catchUpSeconds));
                figures.put(
                        "consumer_apply_events_per_second",
                        Math.round(outcome.accepted() / (outcome.seconds() + catchUpSeconds)));
                figures.put(
                        "consumer_kept_up",
                        catchup.applied() >= expectedApplied
                                && expectedApplied - appliedAtEnd <= outcome.accepted() * 0.01);
                report.add(scenario.name(), figures);
            }
            report.add("redis_memory", memoryFigures(redis, memoryBefore, expectedApplied));
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            return report;
        }
    }

    private static Outcome unary(
            IngestionServiceGrpc.IngestionServiceStub stub, List<IngestEventsRequest> batches, int inFlight)
            throws InterruptedException {
        Semaphore permits = new Semaphore(inFlight);
        CountDownLatch done = new CountDownLatch(batches.size());
        AtomicLong accepted = new AtomicLong();
        AtomicLong notAccepted = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Histogram latency = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(1), 3);
        long started = System.nanoTime();
        for (IngestEventsRequest batch : batches) {
            permits.acquire();
            long sent = System.nanoTime();
            stub.withDeadlineAfter(60, TimeUnit.SECONDS).ingestEvents(batch, new StreamObserver<>() {
                @Override
                public void onNext(IngestEventsResponse response) {
                    accepted.addAndGet(response.getAccepted());
                    notAccepted.addAndGet(response.getDuplicates() + response.getRejected());
                }

                @Override
                public void onError(Throwable t) {
                    failure.compareAndSet(null, t);
                    permits.release();
                    done.countDown();
                }

                @Override
                public void onCompleted() {
                    latency.recordValue(Math.max(1, (System.nanoTime() - sent) / 1_000));
                    permits.release();
                    done.countDown();
                }
            });
        }
        done.await();
        double seconds = (System.nanoTime() - started) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException("ingestion failed during the benchmark", failure.get());
        }
        return new Outcome(accepted.get(), notAccepted.get(), seconds, latency);
    }

    private Outcome unary(IngestionServiceGrpc.IngestionServiceStub stub, List<IngestEventsRequest> batches)
            throws InterruptedException {
        return unary(stub, batches, concurrency);
    }

    /**
     * {@code streams} client streams in parallel, each sending its share of the batches as fast as flow control lets
     * it.
     */
    private Outcome streaming(IngestionServiceGrpc.IngestionServiceStub stub, List<IngestEventsRequest> batches)
            throws InterruptedException {
        CountDownLatch done = new CountDownLatch(streams);
        AtomicLong accepted = new AtomicLong();
        AtomicLong notAccepted = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long started = System.nanoTime();
        for (int s = 0; s < streams; s++) {
            int first = s;
            stub.withDeadlineAfter(10, TimeUnit.MINUTES)
                    .streamEvents(new ClientResponseObserver<IngestEventsRequest, IngestEventsResponse>() {
                        private int next = first;
                        private boolean completed;

                        @Override
                        public void beforeStart(ClientCallStreamObserver<IngestEventsRequest> requests) {
                            requests.setOnReadyHandler(() -> {
                                while (requests.isReady() && next < batches.size()) {
                                    requests.onNext(batches.get(next));
                                    next += streams;
                                }
                                if (next >= batches.size() && !completed) {
                                    completed = true;
                                    requests.onCompleted();
                                }
                            });
                        }

                        @Override
                        public void onNext(IngestEventsResponse summary) {
                            accepted.addAndGet(summary.getAccepted());
                            notAccepted.addAndGet(summary.getDuplicates() + summary.getRejected());
                        }

                        @Override
                        public void onError(Throwable t) {
                            failure.compareAndSet(null, t);
                            done.countDown();
                        }

                        @Override
                        public void onCompleted() {
                            done.countDown();
                        }
                    });
        }
        done.await();
        double seconds = (System.nanoTime() - started) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException("streaming ingestion failed during the benchmark", failure.get());
        }
        return new Outcome(accepted.get(), notAccepted.get(), seconds, null);
    }

    private record Catchup(long applied) {}

    private static Catchup awaitApplied(ServiceMetrics metrics, long expected, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        double applied = 0;
        while (System.nanoTime() < deadline) {
            applied = metrics.counter("recsys_features_log_entries_total", "result=\"applied\"");
            if (applied >= expected) {
                break;
            }
            Thread.sleep(50);
        }
        return new Catchup(Math.round(applied));
    }

    private Map<String, Object> memoryFigures(RedisProbe redis, long before, long appliedEvents) {
        long after = redis.usedMemory();
        long stream = redis.memoryUsage(LOG);
        long streamEntries = redis.streamLength(LOG);
        List<String> seenSample = redis.sampleKeys("recsys:{events}:seen:*", 2_000);
        double seenBytes = redis.averageBytes(seenSample, key -> List.of(key));
        long seenKeys = redis.countKeys("recsys:{events}:seen:*");
        List<String> userSample = redis.sampleKeys("recsys:u:*:profile", 2_000);
        double bytesPerUser = redis.averageBytes(userSample, key -> List.of(key, key.replace(":profile", ":recent")));
        // item hashes end with their hash tag; each has a neighbour set beside it
        List<String> itemSample = redis.sampleKeys("recsys:i:*}", 2_000);
        double bytesPerItem = redis.averageBytes(itemSample, key -> List.of(key, key + ":co"));
        long features = after - before - stream - Math.round(seenBytes * seenKeys);

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("events_applied", appliedEvents);
        figures.put("used_memory_mb", round((after - before) / 1e6));
        figures.put("event_log_mb", round(stream / 1e6));
        figures.put("event_log_bytes_per_event", Math.round((double) stream / Math.max(1, streamEntries)));
        figures.put("dedup_keys_mb", round(seenBytes * seenKeys / 1e6));
        figures.put("dedup_bytes_per_event", Math.round(seenBytes));
        figures.put("features_mb", round(features / 1e6));
        figures.put("features_mb_per_million_events", round(features / 1e6 / (appliedEvents / 1e6)));
        figures.put("users", redis.countKeys("recsys:u:*:profile"));
        figures.put("bytes_per_user", Math.round(bytesPerUser));
        figures.put("items", redis.countKeys("recsys:i:*}"));
        figures.put("bytes_per_item", Math.round(bytesPerItem));
        return figures;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
