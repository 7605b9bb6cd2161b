package io.recsys.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.recommend.v1.RecommendationServiceGrpc;
import io.recsys.localredis.LocalRedisServer;
import io.recsys.localredis.RedisBinary;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The five services started exactly as the plain Kubernetes manifests (k8s/, generated from the Helm chart) configure
 * them: each service's ConfigMap as its additional application.yaml, each container's environment, and the Secrets'
 * values where the manifests reference them. Only what a cluster would provide is replaced: Service DNS names become
 * localhost (with this machine's free ports) and the model volume is the repository's models/. This proves that the
 * chart's settings bind in the real services, that its probes' endpoints answer, that the services authenticate to
 * Redis with the Secret's password, and that the API keys of the mounted Secret guard the public API and are rotated
 * without a restart.
 */
class KubernetesConfigurationIT {

    private static final List<String> SERVICES =
            List.of("ingestion-service", "feature-service", "inference-service", "recommendation-service", "gateway");
    private static final String API_KEYS = "old-key-0123456789abcdef,new-key-0123456789abcdef";
    private static final String REDIS_PASSWORD = "manifest-test-password-0123456789";
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final JsonMapper json = JsonMapper.builder().build();

    private static final Map<String, ServiceProcess> running = new LinkedHashMap<>();
    private static LocalRedisServer redis;
    private static Path apiKeysFile;

    @BeforeAll
    static void startAsTheManifestsSay() throws Exception {
        Path root = StackConfig.findRoot(Path.of(""));
        Path workDir = root.resolve("local-stack/target/kubernetes-configuration");
        Map<String, Map<String, JsonNode>> manifests = manifests(root.resolve("k8s"));
        redis = LocalRedisServer.start(RedisBinary.locate(), 0);
        // as the chart's Redis: the default user wants the password of the Secret the services read
        assertThat(redisCommand("CONFIG", "SET", "requirepass", REDIS_PASSWORD)).isEqualTo("+OK");
        // the gateway's keys as the chart mounts them: a file of the Secret
        apiKeysFile = Files.createDirectories(workDir).resolve("api-keys");
        Files.writeString(apiKeysFile, API_KEYS);

        Map<String, int[]> ports = new HashMap<>();
        for (String service : SERVICES) {
            ports.put(
                    service,
                    new int[] {LocalRedisServer.freePort(), LocalRedisServer.freePort(), LocalRedisServer.freePort()});
        }
        for (String service : SERVICES) {
            JsonNode container =
                    manifests.get("Deployment").get("recsys-" + service).at("/spec/template/spec/containers/0");
            Path configDir = Files.createDirectories(workDir.resolve("config").resolve(service));
            String applicationYaml = manifests
                    .get("ConfigMap")
                    .get("recsys-" + service)
                    .at("/data/application.yaml")
                    .asString();
            for (String backend : SERVICES) {
                applicationYaml = applicationYaml.replaceAll(
                        "dns:///recsys-" + backend + ":\\d+", "dns:///localhost:" + ports.get(backend)[1]);
            }
            applicationYaml = applicationYaml.replace("model-dir: /models", "model-dir: " + root.resolve("models"));
            Files.writeString(configDir.resolve("application.yaml"), applicationYaml);

            Map<String, String> environment = new HashMap<>();
            for (JsonNode variable : container.get("env")) {
                String name = variable.get("name").asString();
                if (variable.has("value")) {
                    String value = switch (name) {
                        case "SPRING_DATA_REDIS_HOST" -> redis.host();
                        case "SPRING_DATA_REDIS_PORT" -> Integer.toString(redis.port());
                        case "RECSYS_GATEWAY_AUTH_API_KEYS_FILE" -> apiKeysFile.toString();
                        default -> variable.get("value").asString();
                    };
                    environment.put(name, value.replace("file:/config/", "file:" + configDir + "/"));
                } else {
                    String key = variable.at("/valueFrom/secretKeyRef/key").asString();
                    environment.put(
                            name,
                            switch (key) {
                                case "redis-password" -> REDIS_PASSWORD;
                                default ->
                                    throw new IllegalStateException("a Secret key this test does not know: " + key);
                            });
                }
            }
            assertThat(environment).containsKey("SPRING_CONFIG_ADDITIONAL_LOCATION");
            // the container's own ports are the services' defaults; here they must be free ones
            // (the gateway's Actuator on a management port of its own)
            int[] own = ports.get(service);
            ServiceSpec spec =
                    new ServiceSpec(service, own[0], own[1], service.equals("gateway") ? own[2] : own[0], List.of());
            running.put(
                    service,
                    ServiceProcess.launch(spec, root, workDir, StackConfig.defaultServiceJvm(service), environment));
        }
        for (ServiceProcess service : running.values()) {
            service.awaitReady(Duration.ofMinutes(3), http);
        }
    }

    @AfterAll
    static void stop() {
        running.values().forEach(ServiceProcess::requestStop);
        running.values().forEach(ServiceProcess::stop);
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void everyServiceAnswersTheGrpcHealthServiceItsReadinessProbeAsksFor() {
        for (ServiceProcess service : running.values()) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress(
                            "localhost", service.spec().grpcPort())
                    .usePlaintext()
                    .build();
            try {
                // the gRPC health status follows the application's on a 5 s schedule
                Awaitility.await()
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .ignoreExceptions()
                        .until(() -> HealthGrpc.newBlockingStub(channel)
                                        .withDeadlineAfter(2, TimeUnit.SECONDS)
                                        .check(HealthCheckRequest.newBuilder()
                                                .setService("readiness")
                                                .build())
                                        .getStatus()
                                == HealthCheckResponse.ServingStatus.SERVING);
            } finally {
                channel.shutdownNow();
            }
        }
    }

    @Test
    void thePublicApiWantsAKeyAndServesThroughTheBackendsTheConfigMapsName() throws Exception {
        String events =
                "[{\"event_id\":\"k8s-1\",\"user_id\":\"u1\",\"item_id\":\"i1\",\"type\":\"purchase\",\"timestamp\":\""
                        + java.time.Instant.now() + "\"}]";
        assertThat(send(post("/api/v1/events", events).build()).statusCode()).isEqualTo(401);

        HttpResponse<String> ingested = send(post("/api/v1/events", events)
                .header("X-Api-Key", "old-key-0123456789abcdef")
                .build());
        assertThat(ingested.statusCode()).as(ingested.body()).isEqualTo(200);
        assertThat(json.readTree(ingested.body()).get("accepted").asInt()).isEqualTo(1);

        HttpResponse<String> recommended =
                send(HttpRequest.newBuilder(gateway("/api/v1/users/u1/recommendations?limit=5"))
                        .header("Authorization", "Bearer new-key-0123456789abcdef")
                        // the wiring is under test, not a cold JVM's first answer: a deadline it always meets
                        .header("X-Request-Deadline-Ms", "30000")
                        .build());
        assertThat(recommended.statusCode()).as(recommended.body()).isEqualTo(200);
        assertThat(json.readTree(recommended.body()).has("items")).isTrue();
    }

    @Test
    void theGrpcEdgeWantsTheKeyToo() throws InterruptedException {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(
                        "localhost", running.get("gateway").spec().grpcPort())
                .usePlaintext()
                .build();
        try {
            RecommendRequest request =
                    RecommendRequest.newBuilder().setUserId("u1").setLimit(3).build();
            assertThatThrownBy(() -> RecommendationServiceGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(5, TimeUnit.SECONDS)
                            .recommend(request))
                    .isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
            Metadata key = new Metadata();
            key.put(Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER), "new-key-0123456789abcdef");
            assertThat(RecommendationServiceGrpc.newBlockingStub(channel)
                            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key))
                            .withDeadlineAfter(5, TimeUnit.SECONDS)
                            .recommend(request)
                            .getUserId())
                    .isEqualTo("u1");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aKeyAddedToTheMountedSecretIsAcceptedWithoutARestartAndGoneOnceRemoved() throws Exception {
        String rotated = "rotated-key-0123456789abcdef";
        HttpRequest withRotated = HttpRequest.newBuilder(gateway("/api/v1/users/u1/recommendations?limit=1"))
                .header("X-Api-Key", rotated)
                .header("X-Request-Deadline-Ms", "30000")
                .build();
        assertThat(send(withRotated).statusCode()).isEqualTo(401);

        // the kubelet swaps the mounted file when the Secret changes; the gateway reads it again by itself
        Files.writeString(apiKeysFile, API_KEYS + "," + rotated);
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> send(withRotated).statusCode() == 200);

        Files.writeString(apiKeysFile, API_KEYS);
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> send(withRotated).statusCode() == 401);
    }

    /** One command to the test's Redis, before it wants a password; the first line of its reply. */
    private static String redisCommand(String... parts) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), redis.port())) {
            socket.setSoTimeout(5000);
            StringBuilder command = new StringBuilder("*" + parts.length + "\r\n");
            for (String part : parts) {
                command.append('$')
                        .append(part.length())
                        .append("\r\n")
                        .append(part)
                        .append("\r\n");
            }
            socket.getOutputStream().write(command.toString().getBytes(StandardCharsets.UTF_8));
            return new java.io.BufferedReader(
                            new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
        }
    }

    /** kind to name to object, from every file in k8s/. */
    private static Map<String, Map<String, JsonNode>> manifests(Path directory) throws IOException {
        YAMLMapper yaml = YAMLMapper.builder().build();
        Map<String, Map<String, JsonNode>> objects = new HashMap<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(directory)) {
            files = listing.filter(p -> p.toString().endsWith(".yaml")).toList();
        }
        for (Path file : files) {
            for (JsonNode object : yaml.readValues(yaml.createParser(file.toFile()), JsonNode.class)
                    .readAll()) {
                if (object != null && object.has("kind")) {
                    objects.computeIfAbsent(object.get("kind").asString(), kind -> new HashMap<>())
                            .put(object.at("/metadata/name").asString(), object);
                }
            }
        }
        return objects;
    }

    private static HttpRequest.Builder post(String path, String body) {
        return HttpRequest.newBuilder(gateway(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static URI gateway(String path) {
        return URI.create("http://localhost:" + running.get("gateway").spec().httpPort() + path);
    }

    private static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
