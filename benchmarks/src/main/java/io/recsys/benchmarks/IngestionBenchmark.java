package io.recsys.benchmarks;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.IngestEventsRequest;
import io.recsys.contracts.events.v1.IngestEventsResponse;
import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import io.recsys.contracts.features.v1.FeatureServiceGrpc;
import io.recsys.contracts.features.v1.GetFeaturesRequest;
import io.recsys.localredis.LocalRedisCluster;
import io.recsys.localredis.LocalRedisServer;
import io.recsys.localredis.RedisBinary;
import io.recsys.localstack.LocalStack;
import io.recsys.localstack.ServiceProcess;
import io.recsys.localstack.ServiceSpec;
import io.recsys.localstack.StackConfig;
import io.recsys.localstack.StackPorts;
import io.recsys.localstack.StackRedis;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The event log and the feature store under ingestion, all on one machine (client, services, Redis):
 *
 * <ol>
 *   <li>events/s acknowledged by the ingestion-service (its own JVM, real gRPC over loopback) for unary batches of 100
 *       and 1,000 and for client streaming, with the feature consumer held off (the benchmark holds every partition's
 *       lease), so that the Redis time per ingested event is the append's alone;
 *   <li>the consumer's apply rate on the backlog that leaves, and its Redis time per applied event;
 *   <li>a sustained open-loop rate (the goal's, {@code --rate}) for {@code --seconds} with the consumer running: the
 *       lag each second, and how long a new event takes to be visible in GetFeatures (probes);
 *   <li>Redis memory per event, user and item.
 * </ol>
 */
final class IngestionBenchmark {

    private static final int WARM_UP_EVENTS = 60_000;
    private static final String HOLDER = "benchmark";

    private final Path root;
    private final int events;
    private final int concurrency;
    private final int streams;
    private final int users;
    private final int items;
    private final int rate;
    private final int seconds;
    private final int probesPerSecond;
    private final EventLogPartitions partitions = EventLogPartitions.platform();

    IngestionBenchmark(Path root, BenchOptions options) {
        this.root = root;
        this.events = options.intValue("events", 300_000);
        this.concurrency = options.intValue("concurrency", 8);
        this.streams = options.intValue("streams", 4);
        this.users = options.intValue("users", 100_000);
        this.items = options.intValue("items", 20_000);
        this.rate = options.intValue("rate", 100_000);
        this.seconds = options.intValue("seconds", 60);
        this.probesPerSecond = options.intValue("probes-per-second", 10);
    }

    private record Scenario(String name, int batchSize, boolean streaming) {}

    private record Outcome(long accepted, long notAccepted, double seconds, Histogram callLatency) {}

    private List<String> keys(java.util.function.IntFunction<String> key) {
        return java.util.stream.IntStream.range(0, partitions.count())
                .mapToObj(key)
                .toList();
    }

    BenchmarkReport run() throws Exception {
        BenchmarkReport report = onSingleRedis();
        System.out.println("acknowledged events/s on a local Redis Cluster of 3 masters ...");
        report.add("cluster_3_masters", onCluster());
        return report;
    }

    /**
     * The acknowledgement figures again on a Redis Cluster of three masters (no replicas, no persistence) formed from
     * the same redis-server binary, with an ingestion-service of its own; Redis time is summed over the masters.
     */
    private Map<String, Object> onCluster() throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        try (LocalRedisCluster cluster =
                LocalRedisCluster.start(RedisBinary.locate(), 3, 0, LocalRedisServer.Persistence.NONE)) {
            ServiceSpec spec = new ServiceSpec(
                    "ingestion-service",
                    LocalRedisServer.freePort(),
                    LocalRedisServer.freePort(),
                    List.of("--spring.data.redis.cluster.nodes=" + cluster.nodes()));
            ServiceProcess ingestion = ServiceProcess.launch(
                    spec, root, root.resolve("benchmarks/target/bench-cluster"), Benchmarks.serviceJvm());
            ManagedChannel channel = null;
            List<RedisProbe> masters = new ArrayList<>();
            try {
                ingestion.awaitReady(Duration.ofMinutes(2), java.net.http.HttpClient.newHttpClient());
                channel = NettyChannelBuilder.forAddress("127.0.0.1", spec.grpcPort())
                        .usePlaintext()
                        .build();
                IngestionServiceGrpc.IngestionServiceStub stub = IngestionServiceGrpc.newStub(channel);
                for (LocalRedisServer master : cluster.masters()) {
                    masters.add(new RedisProbe(master.host(), master.port()));
                }
                SyntheticEvents generator = new SyntheticEvents(users, items, 11);
                unary(stub, generator.batches("cluster-warm-", WARM_UP_EVENTS, 1000), concurrency);
                for (Scenario scenario : List.of(
                        new Scenario("unary_batch_1000", 1000, false),
                        new Scenario("client_streaming_batch_1000", 1000, true))) {
                    List<IngestEventsRequest> batches =
                            generator.batches("cluster-" + scenario.name() + "-", events, scenario.batchSize());
                    masters.forEach(RedisProbe::resetStats);
                    Outcome outcome =
                            scenario.streaming() ? streaming(stub, batches) : unary(stub, batches, concurrency);
                    Map<String, long[]> stats = new LinkedHashMap<>();
                    for (RedisProbe master : masters) {
                        master.commandStats()
                                .forEach((command, value) ->
                                        stats.merge(command, value, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]}));
                    }
                    Map<String, Object> scenarioFigures = new LinkedHashMap<>();
                    scenarioFigures.put("events_acknowledged", outcome.accepted());
                    scenarioFigures.put("seconds", round(outcome.seconds()));
                    scenarioFigures.put("events_per_second", Math.round(outcome.accepted() / outcome.seconds()));
                    scenarioFigures.putAll(redisTime(stats, outcome.accepted()));
                    figures.put(scenario.name(), scenarioFigures);
                }
            } finally {
                masters.forEach(RedisProbe::close);
                if (channel != null) {
                    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
                ingestion.stop();
            }
        }
        return figures;
    }

    private BenchmarkReport onSingleRedis() throws Exception {
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
            ServiceProcess ingestion = Benchmarks.service(stack, "ingestion-service");
            ServiceProcess featureService = Benchmarks.service(stack, "feature-service");
            ServiceMetrics featureMetrics =
                    new ServiceMetrics(featureService.spec().managementPort());
            ManagedChannel channel = NettyChannelBuilder.forAddress(
                            "127.0.0.1", ingestion.spec().grpcPort())
                    .usePlaintext()
                    .build();
            ManagedChannel featureChannel = NettyChannelBuilder.forAddress(
                            "127.0.0.1", featureService.spec().grpcPort())
                    .usePlaintext()
                    .build();
            IngestionServiceGrpc.IngestionServiceStub stub = IngestionServiceGrpc.newStub(channel);
            SyntheticEvents generator = new SyntheticEvents(users, items, 7);
            List<String> states = keys(partitions::stateKey);
            List<String> owners = keys(partitions::ownerKey);

            Map<String, Object> setup = new LinkedHashMap<>();
            setup.put("events_per_scenario", events);
            setup.put("unary_calls_in_flight", concurrency);
            setup.put("parallel_streams", streams);
            setup.put("users", users);
            setup.put("items", items);
            setup.put("event_log_partitions", partitions.count());
            setup.put("sustained_rate_events_per_second", rate);
            setup.put("sustained_seconds", seconds);
            setup.put(
                    "redis",
                    redis.version() + " ("
                            + stack.redis().orElseThrow().binary().description()
                            + ", single instance, no persistence: appendonly no)");
            setup.put("service_jvm", Benchmarks.serviceJvm());
            BenchmarkReport report = new BenchmarkReport("ingestion", setup);
            long memoryBefore = redis.usedMemory();

            System.out.println("warming up with " + WARM_UP_EVENTS + " events ...");
            unary(stub, generator.batches("warm-", WARM_UP_EVENTS, 1000), concurrency);
            awaitApplied(redis, states, Duration.ofMinutes(3));

            System.out.println("holding the feature consumer off (the benchmark takes every partition's lease) ...");
            redis.setAll(owners, HOLDER, Duration.ofMinutes(30));
            awaitHeldByService(featureMetrics, 0);
            for (Scenario scenario : List.of(
                    new Scenario("unary_batch_100", 100, false),
                    new Scenario("unary_batch_1000", 1000, false),
                    new Scenario("client_streaming_batch_1000", 1000, true))) {
                List<IngestEventsRequest> batches =
                        generator.batches(scenario.name() + "-", events, scenario.batchSize());
                redis.resetStats();
                Outcome outcome = scenario.streaming() ? streaming(stub, batches) : unary(stub, batches, concurrency);
                Map<String, Object> figures = new LinkedHashMap<>();
                figures.put("events_acknowledged", outcome.accepted());
                figures.put("events_not_accepted", outcome.notAccepted());
                figures.put("seconds", round(outcome.seconds()));
                figures.put("events_per_second", Math.round(outcome.accepted() / outcome.seconds()));
                if (outcome.callLatency() != null) {
                    figures.put("call_latency", BenchmarkReport.latency(outcome.callLatency()));
                }
                figures.putAll(redisTime(redis.commandStats(), outcome.accepted()));
                report.add(scenario.name(), figures);
            }

            long backlog = redis.sumField(states, "appended") - redis.sumField(states, "applied");
            System.out.println("letting the consumer apply the backlog of " + backlog + " events ...");
            redis.resetStats();
            redis.deleteAll(owners);
            report.add("apply_backlog", applyBacklog(redis, states, backlog));

            System.out.println("sustained ingestion at " + rate + " events/s for " + seconds + " s ...");
            report.add(
                    "sustained",
                    sustained(stub, FeatureServiceGrpc.newBlockingStub(featureChannel), generator, redis, states));
            // memory is measured on what is applied by then; an overloaded run is not drained first
            drain(redis, states, Duration.ofMinutes(2));
            report.add("redis_memory", memoryFigures(redis, memoryBefore, redis.sumField(states, "applied"), states));
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            featureChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            return report;
        }
    }

    /** Redis time (all commands, scripts and what they call) per event, and the commands that took most of it. */
    private static Map<String, Object> redisTime(Map<String, long[]> stats, long events) {
        Map<String, Object> figures = new LinkedHashMap<>();
        // a script's time includes the commands it calls, which are also listed on their own
        long total = stats.entrySet().stream()
                .filter(e -> e.getKey().equals("eval") || e.getKey().equals("evalsha") || !calledByScripts(e.getKey()))
                .mapToLong(e -> e.getValue()[1])
                .sum();
        figures.put("redis_usec_per_event", Math.round(100.0 * total / Math.max(1, events)) / 100.0);
        Map<String, Object> top = new LinkedHashMap<>();
        stats.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
                .limit(8)
                .forEach(e -> top.put(e.getKey(), Math.round(100.0 * e.getValue()[1] / Math.max(1, events)) / 100.0));
        figures.put("redis_usec_per_event_by_command", top);
        return figures;
    }

    private static boolean calledByScripts(String command) {
        return Set.of(
                        "xadd",
                        "sadd",
                        "smismember",
                        "expire",
                        "hincrby",
                        "hset",
                        "hget",
                        "hmget",
                        "lrange",
                        "lpush",
                        "ltrim",
                        "zincrby",
                        "zadd",
                        "zcard",
                        "zremrangebyrank",
                        "exists",
                        "get",
                        "set",
                        "del",
                        "pexpire",
                        "hincrbyfloat",
                        "zunionstore")
                .contains(command);
    }

    /** Waits until the consumer has applied the backlog; the rate counts from its first progress. */
    private static Map<String, Object> applyBacklog(RedisProbe redis, List<String> states, long backlog)
            throws InterruptedException {
        long appliedBefore = redis.sumField(states, "applied");
        long target = redis.sumField(states, "appended");
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        long started = 0;
        long applied = appliedBefore;
        while (applied < target && System.nanoTime() < deadline) {
            Thread.sleep(10);
            applied = redis.sumField(states, "applied");
            if (started == 0 && applied > appliedBefore) {
                started = System.nanoTime();
            }
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("events", applied - appliedBefore);
        figures.put("backlog", backlog);
        figures.put("seconds", round(elapsed));
        figures.put("events_per_second", Math.round((applied - appliedBefore) / elapsed));
        figures.putAll(redisTime(redis.commandStats(), applied - appliedBefore));
        return figures;
    }

    /**
     * Open loop: a batch of 1,000 leaves every {@code 1000 / rate} s whatever the answers do; each second, the lag
     * (logged but not applied, from the partitions' counts in Redis); all along, probes: one event of a new user, then
     * GetFeatures for her until it shows, timed from the send.
     */
    private Map<String, Object> sustained(
            IngestionServiceGrpc.IngestionServiceStub stub,
            FeatureServiceGrpc.FeatureServiceBlockingStub features,
            SyntheticEvents generator,
            RedisProbe redis,
            List<String> states)
            throws Exception {
        int batchSize = 1000;
        long interval = Math.round(1e9 * batchSize / rate);
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong failedCalls = new AtomicLong();
        AtomicLong inFlight = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        Histogram visible = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(5), 3);
        AtomicLong probesUnseen = new AtomicLong();
        AtomicLong failedReads = new AtomicLong();
        Thread probes = Thread.ofPlatform()
                .name("probes")
                .start(() -> probe(features, stub, running, visible, probesUnseen, failedReads));
        long started = System.nanoTime();
        Thread sender = Thread.ofPlatform().name("sender").start(() -> {
            long next = started;
            for (long sent = 0; System.nanoTime() - started < TimeUnit.SECONDS.toNanos(seconds); sent += batchSize) {
                IngestEventsRequest batch = generator.batch("sustained-", sent, batchSize);
                LockSupport.parkNanos(next - System.nanoTime());
                next += interval;
                inFlight.incrementAndGet();
                stub.withDeadlineAfter(60, TimeUnit.SECONDS).ingestEvents(batch, new StreamObserver<>() {
                    @Override
                    public void onNext(IngestEventsResponse response) {
                        acknowledged.addAndGet(response.getAccepted());
                    }

                    @Override
                    public void onError(Throwable t) {
                        failedCalls.incrementAndGet();
                        inFlight.decrementAndGet();
                    }

                    @Override
                    public void onCompleted() {
                        inFlight.decrementAndGet();
                    }
                });
            }
        });
        List<Map<String, Object>> perSecond = new ArrayList<>();
        long lastAcknowledged = 0;
        long lastApplied = redis.sumField(states, "applied");
        long maxLag = 0;
        List<long[]> lags = new ArrayList<>();
        for (int second = 1; second <= seconds; second++) {
            LockSupport.parkNanos(started + TimeUnit.SECONDS.toNanos(second) - System.nanoTime());
            long appended = redis.sumField(states, "appended");
            long applied = redis.sumField(states, "applied");
            long lag = appended - applied;
            long nowAcknowledged = acknowledged.get();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("second", second);
            row.put("acknowledged", nowAcknowledged - lastAcknowledged);
            row.put("applied", applied - lastApplied);
            row.put("lag", lag);
            row.put("calls_in_flight", inFlight.get());
            perSecond.add(row);
            lags.add(new long[] {second, lag});
            maxLag = Math.max(maxLag, lag);
            lastAcknowledged = nowAcknowledged;
            lastApplied = applied;
        }
        sender.join();
        running.set(false);
        probes.join();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("target_events_per_second", rate);
        figures.put("acknowledged_events_per_second", Math.round(acknowledged.get() / (double) seconds));
        figures.put("failed_calls", failedCalls.get());
        figures.put("lag_max", maxLag);
        figures.put("lag_at_end", lags.getLast()[1]);
        // least-squares slope of the lag over the run's second half: a consumer that keeps up has none
        double slope = slope(lags.subList(lags.size() / 2, lags.size()));
        figures.put("lag_growth_events_per_second_second_half", Math.round(slope));
        figures.put("consumer_kept_up", slope < 0.01 * rate && lags.getLast()[1] < rate);
        figures.put("event_to_visible", BenchmarkReport.latency(visible));
        figures.put("probes_not_visible_within_60s", probesUnseen.get());
        figures.put("probe_reads_failed", failedReads.get());
        figures.put("per_second", perSecond);
        return figures;
    }

    private void probe(
            FeatureServiceGrpc.FeatureServiceBlockingStub features,
            IngestionServiceGrpc.IngestionServiceStub ingestion,
            AtomicBoolean running,
            Histogram visible,
            AtomicLong unseen,
            AtomicLong failedReads) {
        long every = TimeUnit.SECONDS.toNanos(1) / probesPerSecond;
        long next = System.nanoTime();
        for (int n = 0; running.get(); n++) {
            LockSupport.parkNanos(next - System.nanoTime());
            next += every;
            String user = "probe-" + n;
            Event event = Event.newBuilder()
                    .setEventId("probe-" + n)
                    .setUserId(user)
                    .setItemId("i0")
                    .setType(EventType.EVENT_TYPE_VIEW)
                    .build();
            long sent = System.nanoTime();
            ingestion
                    .withDeadlineAfter(60, TimeUnit.SECONDS)
                    .ingestEvents(
                            IngestEventsRequest.newBuilder().addEvents(event).build(), new StreamObserver<>() {
                                @Override
                                public void onNext(IngestEventsResponse response) {}

                                @Override
                                public void onError(Throwable t) {}

                                @Override
                                public void onCompleted() {}
                            });
            GetFeaturesRequest request = GetFeaturesRequest.newBuilder()
                    .setUserId(user)
                    .setRecentLimit(1)
                    .build();
            boolean seen = false;
            while (!seen && System.nanoTime() - sent < TimeUnit.SECONDS.toNanos(60)) {
                try {
                    seen = features.withDeadlineAfter(5, TimeUnit.SECONDS)
                                    .getFeatures(request)
                                    .getUser()
                                    .getRecentCount()
                            > 0;
                } catch (io.grpc.StatusRuntimeException e) {
                    // a read the overloaded store could not answer: the probe keeps waiting
                    failedReads.incrementAndGet();
                }
                if (!seen) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                }
            }
            if (seen) {
                visible.recordValue(Math.max(1, (System.nanoTime() - sent) / 1_000));
            } else {
                unseen.incrementAndGet();
            }
        }
    }

    private static double slope(List<long[]> points) {
        double n = points.size();
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (long[] p : points) {
            sx += p[0];
            sy += p[1];
            sxx += (double) p[0] * p[0];
            sxy += (double) p[0] * p[1];
        }
        double denominator = n * sxx - sx * sx;
        return denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator;
    }

    private static void awaitHeldByService(ServiceMetrics metrics, double held)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (metrics.max("recsys_feature_log_partitions_held", "") != held) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the feature-service did not give its partitions up within 60 s");
            }
            Thread.sleep(50);
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

    /** Waits up to {@code timeout} for the consumer to apply what is logged; returns what is left. */
    private static long drain(RedisProbe redis, List<String> states, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long left = redis.sumField(states, "appended") - redis.sumField(states, "applied");
        while (left > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            left = redis.sumField(states, "appended") - redis.sumField(states, "applied");
        }
        return left;
    }

    private static void awaitApplied(RedisProbe redis, List<String> states, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (redis.sumField(states, "applied") < redis.sumField(states, "appended")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the feature-service did not apply the log within " + timeout);
            }
            Thread.sleep(50);
        }
    }

    private Map<String, Object> memoryFigures(RedisProbe redis, long before, long appliedEvents, List<String> states) {
        long after = redis.usedMemory();
        long stream = 0;
        long seen = 0;
        long seenIds = 0;
        for (int p = 0; p < partitions.count(); p++) {
            stream += redis.memoryUsage(partitions.streamKey(p));
            for (String key : redis.sampleKeys("recsys:{" + partitions.tag(p) + "}:seen:*", 10)) {
                seen += redis.memoryUsage(key);
                seenIds += redis.setSize(key);
            }
        }
        long logged = redis.sumField(states, "appended");
        List<String> userSample = redis.sampleKeys("recsys:{p*}:u:*:profile", 2_000);
        double bytesPerUser = redis.averageBytes(userSample, key -> List.of(key, key.replace(":profile", ":recent")));
        // item hashes end with their hash tag; each has a neighbour set beside it
        List<String> itemSample = redis.sampleKeys("recsys:i:*}", 2_000);
        double bytesPerItem = redis.averageBytes(itemSample, key -> List.of(key, key + ":co"));
        long features = after - before - stream - seen;

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("events_logged", logged);
        figures.put("used_memory_mb", round((after - before) / 1e6));
        figures.put("event_log_mb", round(stream / 1e6));
        figures.put("event_log_bytes_per_event", Math.round((double) stream / Math.max(1, logged)));
        figures.put("dedup_mb", round(seen / 1e6));
        figures.put("dedup_bytes_per_event", Math.round((double) seen / Math.max(1, seenIds)));
        figures.put("features_mb", round(features / 1e6));
        figures.put("features_mb_per_million_events", round(features / 1e6 / (appliedEvents / 1e6)));
        figures.put("users", redis.countKeys("recsys:{p*}:u:*:profile"));
        figures.put("bytes_per_user", Math.round(bytesPerUser));
        figures.put("items", redis.countKeys("recsys:i:*}"));
        figures.put("bytes_per_item", Math.round(bytesPerItem));
        return figures;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
