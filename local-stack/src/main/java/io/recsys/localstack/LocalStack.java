package io.recsys.localstack;

import io.recsys.localredis.LocalRedisCluster;
import io.recsys.localredis.LocalRedisServer;
import io.recsys.localredis.RedisBinary;
import io.recsys.localstack.demo.DemoDataGenerator;
import io.recsys.localstack.demo.DemoSeeder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The whole platform on one machine: a Redis (started here unless one is given), the five services as separate JVMs
 * talking gRPC over loopback, and optionally seeded demo data. {@link #close()} stops everything it started, services
 * first.
 */
public final class LocalStack implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    private final StackConfig config;
    private final List<ServiceProcess> services = new ArrayList<>();
    private LocalRedisServer redis;
    private LocalRedisCluster cluster;
    private Optional<DemoSeeder.SeedReport> seedReport = Optional.empty();
    private Optional<DemoDataGenerator.DemoData> demoData = Optional.empty();
    private Optional<String> newcomersFirstItem = Optional.empty();

    private LocalStack(StackConfig config) {
        this.config = config;
    }

    public static LocalStack start(StackConfig config, Consumer<String> progress)
            throws IOException, InterruptedException {
        LocalStack stack = new LocalStack(config);
        try {
            stack.startAll(progress);
            return stack;
        } catch (IOException | InterruptedException | RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startAll(Consumer<String> progress) throws IOException, InterruptedException {
        StackPorts ports = config.ports();
        List<String> redisArguments = redisArguments(progress);
        List<ServiceSpec> specs = Stream.of(
                        new ServiceSpec(
                                "ingestion-service", ports.ingestionHttp(), ports.ingestionGrpc(), redisArguments),
                        new ServiceSpec(
                                "feature-service",
                                ports.featureHttp(),
                                ports.featureGrpc(),
                                concat(
                                        redisArguments,
                                        "--recsys.features.consumer.consumer-name=local-feature-service")),
                        new ServiceSpec(
                                "inference-service",
                                ports.inferenceHttp(),
                                ports.inferenceGrpc(),
                                List.of("--recsys.inference.model-dir="
                                        + config.root().resolve("models"))),
                        new ServiceSpec(
                                "recommendation-service",
                                ports.recommendationHttp(),
                                ports.recommendationGrpc(),
                                List.of(
                                        "--spring.grpc.client.channel.feature-service.target=static://127.0.0.1:"
                                                + ports.featureGrpc(),
                                        "--spring.grpc.client.channel.inference-service.target=static://127.0.0.1:"
                                                + ports.inferenceGrpc())),
                        new ServiceSpec(
                                "gateway",
                                ports.gatewayHttp(),
                                ports.gatewayGrpc(),
                                ports.gatewayManagement(),
                                concat(
                                        redisArguments,
                                        "--spring.grpc.client.channel.recommendation-service.target=static://127.0.0.1:"
                                                + ports.recommendationGrpc(),
                                        "--spring.grpc.client.channel.ingestion-service.target=static://127.0.0.1:"
                                                + ports.ingestionGrpc())))
                .filter(spec -> config.services().contains(spec.module()))
                .map(spec -> new ServiceSpec(
                        spec.module(),
                        spec.httpPort(),
                        spec.grpcPort(),
                        spec.managementPort(),
                        concat(
                                spec.extraArguments(),
                                config.serviceArguments(spec.module()).toArray(String[]::new))))
                .toList();
        for (ServiceSpec spec : specs) {
            requireFree(spec.httpPort(), spec.module() + " HTTP");
            requireFree(spec.grpcPort(), spec.module() + " gRPC");
            if (spec.managementPort() != spec.httpPort()) {
                requireFree(spec.managementPort(), spec.module() + " management");
            }
        }
        // all at once: on few cores the JVMs' start-up overlaps I/O and JIT work
        for (ServiceSpec spec : specs) {
            services.add(
                    ServiceProcess.launch(spec, config.root(), config.workDir(), config.serviceJvm(spec.module())));
        }
        progress.accept("starting " + specs.size() + " services (logs in "
                + config.workDir().resolve("logs") + ") ...");
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (ServiceProcess service : services) {
            service.awaitReady(READY_TIMEOUT, http);
            progress.accept("  " + service.spec().module() + " ready: http :"
                    + service.spec().httpPort() + ", grpc :" + service.spec().grpcPort());
        }
        if (config.demoData().isPresent()) {
            progress.accept("seeding demo data " + config.demoData().get() + " through the ingestion API ...");
            DemoDataGenerator.DemoData data = DemoDataGenerator.generate(
                    config.demoData().get(), Clock.systemUTC().instant());
            demoData = Optional.of(data);
            seedReport = Optional.of(
                    DemoSeeder.seed(data, ports.ingestionGrpc(), ports.featureGrpc(), Duration.ofMinutes(2)));
            progress.accept("  " + seedReport.get());
        }
        if (config.services().contains("gateway")) {
            newcomersFirstItem = GatewayWarmUp.firstItemForNewcomer(
                    gatewayUrl(),
                    config.gatewayApiKey(),
                    demoData.map(data -> data.events().getFirst().getUserId()));
        }
    }

    private List<String> redisArguments(Consumer<String> progress) throws IOException {
        return switch (config.redis()) {
            case StackRedis.External external -> {
                progress.accept("using Redis at " + external.url());
                yield List.of("--spring.data.redis.url=" + external.url());
            }
            case StackRedis.EmbeddedCluster shape -> {
                cluster = LocalRedisCluster.start(
                        RedisBinary.locate(),
                        shape.masters(),
                        shape.replicasPerMaster(),
                        LocalRedisServer.Persistence.NONE);
                progress.accept("started a Redis Cluster of " + shape.masters() + " masters with "
                        + shape.replicasPerMaster() + " replicas each: " + cluster.nodes());
                List<String> arguments = new ArrayList<>();
                arguments.add("--spring.data.redis.cluster.nodes=" + cluster.nodes());
                if (shape.replicasPerMaster() > 0) {
                    arguments.add("--recsys.redis.replica-acks=1");
                }
                yield arguments;
            }
            case StackRedis.Embedded embedded -> {
                int port = config.ports().redis();
                if (!isFree(port)) {
                    // a Redis of the machine's own may hold 6379; ours is private to the stack, any port will do
                    port = 0;
                }
                redis = LocalRedisServer.start(RedisBinary.locate(), port);
                progress.accept("started Redis on 127.0.0.1:" + redis.port() + " ("
                        + redis.binary().description() + ", no persistence)");
                yield List.of("--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redis.port());
            }
        };
    }

    /** The gateway's management port: Actuator (health, metrics), apart from the public API. */
    public URI gatewayManagementUrl() {
        return URI.create("http://localhost:" + config.ports().gatewayManagement());
    }

    public URI gatewayUrl() {
        return URI.create("http://localhost:" + config.ports().gatewayHttp());
    }

    public List<ServiceProcess> services() {
        return Collections.unmodifiableList(services);
    }

    /** The single Redis this stack started, if it started one (empty for an external Redis or a cluster). */
    public Optional<LocalRedisServer> redis() {
        return Optional.ofNullable(redis);
    }

    /** The Redis Cluster this stack started, if it started one. */
    public Optional<LocalRedisCluster> redisCluster() {
        return Optional.ofNullable(cluster);
    }

    public Optional<DemoDataGenerator.DemoData> demoData() {
        return demoData;
    }

    /** What a shopper without history is shown first (known once the stack is up and has data). */
    public Optional<String> newcomersFirstItem() {
        return newcomersFirstItem;
    }

    @Override
    public void close() {
        // all at once: each service drains its own in-flight work during its grace period
        services.forEach(ServiceProcess::requestStop);
        services.forEach(ServiceProcess::stop);
        if (redis != null) {
            redis.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void requireFree(int port, String what) throws IOException {
        if (!isFree(port)) {
            throw new IOException(
                    "port " + port + " for " + what + " is in use; stop what holds it (another ./recsys start?)");
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("0.0.0.0", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }
}
