package io.recsys.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.errors.GrpcErrors;
import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.EventResult;
import io.recsys.contracts.events.v1.IngestEventsRequest;
import io.recsys.contracts.events.v1.IngestEventsResponse;
import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import io.recsys.contracts.events.v1.UpsertItemsRequest;
import io.recsys.contracts.events.v1.UpsertItemsResponse;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.recommend.v1.RecommendationServiceGrpc;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bad input, systematically, at the edge of the whole platform (five services, a real Redis): random and mutated JSON
 * for every public route (odd and huge numbers, deep nesting, cut-off and invalid UTF-8 bodies, wrong content types,
 * oversized headers, path tricks) and random messages for every gRPC method the edge serves. Every answer must be a 4xx
 * (or INVALID_ARGUMENT) that names the field at fault, or a success; never a 5xx, never a hang; and after every request
 * Redis holds exactly what the answers acknowledged, nothing half-ingested. Generation follows the stated weights (no
 * jqwik edge-case mixing: it made the extremes most of the corpus, so that almost nothing reached a backend); the
 * extremes are in the lists themselves. The output's statistics show what the corpus reached.
 */
class EdgeFuzzIT {

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Duration NO_HANG = Duration.ofSeconds(15);

    private static LocalStack stack;
    private static RedisClient redisClient;
    private static StatefulRedisConnection<String, String> redis;
    private static ManagedChannel edge;
    private static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    /** What the answers so far acknowledged: events accepted plus items upserted, each one entry in the log. */
    private static long acknowledged;

    @BeforeContainer
    static void start() throws Exception {
        Path root = StackConfig.findRoot(Path.of(""));
        StackPorts ports = StackPorts.free();
        stack = LocalStack.start(
                new StackConfig(
                        root,
                        ports,
                        new StackRedis.Embedded(),
                        Optional.empty(),
                        root.resolve("local-stack/target/edge-fuzz"),
                        StackConfig.DEFAULT_SERVICE_JVM,
                        StackConfig.ALL_SERVICES),
                line -> {});
        redisClient = RedisClient.create(
                "redis://127.0.0.1:" + stack.redis().orElseThrow().port());
        redis = redisClient.connect();
        edge = NettyChannelBuilder.forAddress("127.0.0.1", ports.gatewayGrpc())
                .usePlaintext()
                .build();
        acknowledged = logged();
        // an empty shop has nothing to recommend until its popular list is first cached, and the gateway's breaker
        // may have opened on those answers: the fuzzing starts once a newcomer gets an answer
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofMinutes(1))
                .ignoreExceptions()
                .until(() -> http.send(
                                        HttpRequest.newBuilder(URI.create(
                                                        stack.gatewayUrl() + "/api/v1/users/newcomer/recommendations"))
                                                .timeout(NO_HANG)
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200);
    }

    @AfterContainer
    static void stop() throws Exception {
        System.out.println("EdgeFuzzIT: " + acknowledged + " events and items acknowledged, each one found in Redis");
        if (edge != null) {
            edge.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (redis != null) {
            redis.close();
            redisClient.shutdown();
        }
        if (stack != null) {
            stack.close();
        }
    }

    // ---- JSON over HTTP ----

    @Property(tries = 300, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
    void fuzzedEventBatches(
            @ForAll("eventBodies") byte[] body,
            @ForAll("contentTypes") String contentType,
            @ForAll("accepts") String accept)
            throws Exception {
        HttpResponse<String> response = send("POST", "/api/v1/events", body, contentType, accept, null);
        JsonNode answer = judge(response, "events");
        if (answer != null && answer.has("accepted")) {
            acknowledged += answer.path("accepted").asLong();
        }
        assertThat(logged()).as("Redis holds what was acknowledged").isEqualTo(acknowledged);
    }

    @Property(tries = 150, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
    void fuzzedCatalogBatches(
            @ForAll("itemBodies") byte[] body,
            @ForAll("contentTypes") String contentType,
            @ForAll("accepts") String accept)
            throws Exception {
        HttpResponse<String> response = send("PUT", "/api/v1/catalog/items", body, contentType, accept, null);
        JsonNode answer = judge(response, "items");
        if (answer != null && answer.has("upserted")) {
            acknowledged += answer.path("upserted").asLong();
        }
        assertThat(logged()).as("Redis holds what was acknowledged").isEqualTo(acknowledged);
    }

    @Property(tries = 300, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
    void fuzzedRecommendationRequests(
            @ForAll("userSegments") String user,
            @ForAll("queries") String query,
            @ForAll("deadlines") String deadline,
            @ForAll("accepts") String accept,
            @ForAll("oddHeaders") String oddHeader)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(stack.gatewayUrl() + "/api/v1/users/" + user + "/recommendations" + query))
                .timeout(NO_HANG)
                .GET();
        if (deadline != null) {
            request.header("X-Request-Deadline-Ms", deadline);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        if (!oddHeader.isEmpty()) {
            request.header("X-Odd", oddHeader);
        }
        // a connection of its own for each: on one the JDK's client kept from an earlier request it was seen waiting
        // out its timeout after the HTTP server's own 414 or 431 and close, where curl and a raw socket on a reused
        // connection get the answer at once
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        judge(client.send(request.build(), HttpResponse.BodyHandlers.ofString()), "body");
    }

    // ---- gRPC at the edge ----

    @Property(tries = 200, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
    void fuzzedGrpcEventBatches(@ForAll("grpcEvents") List<Event> events) {
        IngestionServiceGrpc.IngestionServiceBlockingStub ingestion =
                IngestionServiceGrpc.newBlockingStub(edge).withDeadlineAfter(NO_HANG.toMillis(), TimeUnit.MILLISECONDS);
        try {
            IngestEventsResponse response = ingestion.ingestEvents(
                    IngestEventsRequest.newBuilder().addAllEvents(events).build());
            for (EventResult result : response.getResultsList()) {
                if (result.getOutcome().name().endsWith("REJECTED")) {
                    assertThat(result.getViolationsList())
                            .isNotEmpty()
                            .allSatisfy(v -> assertThat(v.getField()).startsWith("events[" + result.getIndex() + "]"));
                }
            }
            acknowledged += response.getAccepted();
            Statistics.label("grpc status").collect(Status.Code.OK);
        } catch (StatusRuntimeException e) {
            expectInvalidArgumentNamingAField(e);
        }
        assertThat(logged()).as("Redis holds what was acknowledged").isEqualTo(acknowledged);
    }

    @Property(tries = 100, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
    void fuzzedGrpcCatalogBatches(@ForAll("grpcItems") List<Item> items) {
        IngestionServiceGrpc.IngestionServiceBlockingStub ingestion =
                IngestionServiceGrpc.newBlockingStub(edge).withDeadlineAfter(NO_HANG.toMillis(), TimeUnit.MILLISECONDS);
        try {
            UpsertItemsResponse response = ingestion.upsertItems(
                    UpsertItemsRequest.newBuilder().addAllItems(items).build());
            acknowledged += response.getUpserted();
            Statistics.label("grpc status").collect(Status.Code.OK);
        } catch (StatusRuntimeException e) {
            expectInvalidArgumentNamingAField(e);
        }
        assertThat(logged()).as("Redis holds what was acknowledged").isEqualTo(acknowledged);
    }

    @Property(tries = 200, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
    void fuzzedGrpcRecommendRequests(
            @ForAll("grpcText") String user,
            @ForAll("grpcInts") int limit,
            @ForAll("grpcDepths") int depth,
            @ForAll("grpcTextLists") List<String> exclude) {
        RecommendationServiceGrpc.RecommendationServiceBlockingStub recommendations =
                RecommendationServiceGrpc.newBlockingStub(edge)
                        .withDeadlineAfter(NO_HANG.toMillis(), TimeUnit.MILLISECONDS);
        try {
            assertThat(recommendations
                            .recommend(RecommendRequest.newBuilder()
                                    .setUserId(user)
                                    .setLimit(limit)
                                    .setMaxDepthValue(depth)
                                    .addAllExcludeItemIds(exclude)
                                    .build())
                            .getUserId())
                    .isEqualTo(user);
            Statistics.label("grpc status").collect(Status.Code.OK);
        } catch (StatusRuntimeException e) {
            expectInvalidArgumentNamingAField(e);
        }
    }

    // ---- judging ----

    /** The answer's body when it is JSON; fails on a 5xx, a problem that is not RFC 9457, or a 400 naming no field. */
    private static JsonNode judge(HttpResponse<String> response, String collection) {
        int status = response.statusCode();
        // the output's statistics show what the corpus reached: a fuzz that only ever meets one answer proves little
        Statistics.label("http status").collect(status);
        String what = "HTTP " + status + " " + response.body();
        assertThat(status).as(what).isBetween(200, 499);
        String type = response.headers()
                .firstValue("Content-Type")
                .map(t -> t.split(";")[0].trim())
                .orElse("");
        if (type.equals("application/problem+json")) {
            JsonNode problem = JSON.readTree(response.body());
            assertThat(problem.path("status").asInt()).as(what).isEqualTo(status);
            assertThat(problem.path("type").asString()).as(what).startsWith("urn:recsys:problem:");
            assertThat(problem.path("detail").asString()).as(what).isNotBlank();
            if (status == 400) {
                assertThat(problem.path("violations"))
                        .as(what + ": a 400 names the field")
                        .isNotEmpty();
                problem.path("violations")
                        .forEach(v ->
                                assertThat(v.path("field").asString()).as(what).isNotBlank());
            }
            return problem;
        }
        if (type.equals("application/json")) {
            JsonNode answer = JSON.readTree(response.body());
            answer.path("results").forEach(result -> {
                if (result.path("outcome").asString().equals("rejected")) {
                    assertThat(result.path("violations")).as(what).isNotEmpty();
                    result.path("violations")
                            .forEach(v -> assertThat(v.path("field").asString())
                                    .as(what)
                                    .startsWith(collection + "["
                                            + result.path("index").asInt() + "]"));
                }
            });
            return answer;
        }
        // only the HTTP server itself answers without a body of ours: a request line or headers it will not read
        assertThat(status).as(what).isIn(400, 413, 414, 431);
        return null;
    }

    private static void expectInvalidArgumentNamingAField(StatusRuntimeException e) {
        Statistics.label("grpc status").collect(e.getStatus().getCode());
        assertThat(e.getStatus().getCode()).as(e.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(GrpcErrors.fieldViolations(e))
                .as(e.toString())
                .isNotEmpty()
                .allSatisfy(v -> assertThat(v.getField()).isNotBlank());
    }

    private static HttpResponse<String> send(
            String method, String path, byte[] body, String contentType, String accept, String deadline)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
                .timeout(NO_HANG)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        if (deadline != null) {
            request.header("X-Request-Deadline-Ms", deadline);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Entries the event log holds: every partition's {@code appended} count. */
    private static long logged() {
        EventLogPartitions partitions = EventLogPartitions.platform();
        long total = 0;
        for (int p = 0; p < partitions.count(); p++) {
            String appended = redis.sync().hget(partitions.stateKey(p), "appended");
            total += appended == null ? 0 : Long.parseLong(appended);
        }
        return total;
    }

    // ---- what is generated ----

    /** JSON values no field expects: odd and huge numbers, deep nesting, long and strange strings. */
    private static Arbitrary<String> oddJson() {
        return Arbitraries.oneOf(
                Arbitraries.of(
                        "1e400",
                        "-1e400",
                        "-0",
                        "1e-400",
                        "123456789012345678901234567890",
                        "9223372036854775808",
                        "-2147483649",
                        "2147483648",
                        "0.5",
                        "true",
                        "null",
                        "{}",
                        "[]",
                        "\"\"",
                        "\"\\u0000\"",
                        "\"\\ud800\"",
                        "\"2026-13-45T99:99:99Z\"",
                        "\"9999-12-31T23:59:59Z\"",
                        "\"-999999999-01-01T00:00:00Z\"",
                        "\"\\\\\""),
                Arbitraries.strings().ofMaxLength(40).map(EdgeFuzzIT::quoted),
                Arbitraries.integers().between(1_000, 200_000).map(n -> quoted("x".repeat(n))),
                Arbitraries.integers().between(2, 3_000).map(n -> "[".repeat(n) + "]".repeat(n)),
                Arbitraries.integers().between(2, 3_000).map(n -> "{\"a\":".repeat(n) + "1" + "}".repeat(n)));
    }

    private static Arbitrary<String> field(String name, Arbitrary<String> valid) {
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(30, valid.map(v -> "\"" + name + "\":" + v)),
                        net.jqwik.api.Tuple.of(2, oddJson().map(v -> "\"" + name + "\":" + v)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just("")))
                .map(String::valueOf);
    }

    /** A field the request may well leave out: mostly absent, else as {@link #field}. */
    private static Arbitrary<String> optionalField(String name, Arbitrary<String> valid) {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just("")), net.jqwik.api.Tuple.of(1, field(name, valid)));
    }

    private static Arbitrary<String> ids() {
        return Arbitraries.strings()
                .alpha()
                .numeric()
                .withChars('-', '_')
                .ofMinLength(1)
                .ofMaxLength(30)
                .map(EdgeFuzzIT::quoted);
    }

    private static Arbitrary<String> object(List<Arbitrary<String>> fields) {
        return Combinators.combine(fields)
                .as(parts -> "{"
                        + String.join(
                                ",", parts.stream().filter(p -> !p.isEmpty()).toList()) + "}");
    }

    @Provide
    Arbitrary<byte[]> eventBodies() {
        Arbitrary<String> event = object(List.of(
                field("event_id", ids()),
                field("user_id", ids()),
                field("item_id", ids()),
                field(
                        "type",
                        Arbitraries.frequencyOf(
                                        net.jqwik.api.Tuple.of(
                                                8, Arbitraries.of("view", "click", "add_to_cart", "purchase")),
                                        net.jqwik.api.Tuple.of(
                                                1, Arbitraries.of("rating", "custom", "teleport", "VIEW", "")))
                                .map(EdgeFuzzIT::quoted)),
                optionalField(
                        "custom_type",
                        Arbitraries.of("wishlist", "", "x".repeat(300)).map(EdgeFuzzIT::quoted)),
                optionalField("value", Arbitraries.doubles().between(-10, 10).map(String::valueOf)),
                optionalField(
                        "quantity",
                        Arbitraries.integers().between(-5, 1_000_000).map(String::valueOf)),
                optionalField("occurred_at", recently()),
                optionalField(
                        "context",
                        Arbitraries.of(
                                "{\"session_id\":\"s\",\"device\":\"mobile\",\"page\":\"home\"}",
                                "{\"attributes\":{\"a\":\"b\"}}",
                                "{\"attributes\":{\"a\":1}}"))));
        return bodies(event);
    }

    @Provide
    Arbitrary<byte[]> itemBodies() {
        Arbitrary<String> item = object(List.of(
                field("item_id", ids()),
                optionalField("title", Arbitraries.strings().ofMaxLength(60).map(EdgeFuzzIT::quoted)),
                optionalField("category", ids()),
                optionalField("price", Arbitraries.doubles().between(-5, 10_000).map(String::valueOf)),
                optionalField(
                        "currency",
                        Arbitraries.of("GBP", "EUR", "gbp", "POUNDS", "").map(EdgeFuzzIT::quoted)),
                optionalField("available", Arbitraries.of("true", "false")),
                optionalField("attributes", Arbitraries.of("{\"colour\":\"blue\"}", "{}", "{\"k\":[1]}")),
                optionalField("updated_at", recently())));
        return bodies(item);
    }

    /** Mostly the last day; sometimes more than a year ago or in the future. */
    private static Arbitrary<String> recently() {
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(6, Arbitraries.longs().between(-86_400L, 0)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(-86_400L * 400, 86_400L)))
                .map(offset -> quoted(Instant.now().plusSeconds(offset).toString()));
    }

    /** Arrays of a few objects, or something else entirely; then perhaps cut off or broken at the byte level. */
    private static Arbitrary<byte[]> bodies(Arbitrary<String> element) {
        Arbitrary<String> text = Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(
                                8,
                                element.list().ofMinSize(0).ofMaxSize(5).map(all -> "[" + String.join(",", all) + "]")),
                        net.jqwik.api.Tuple.of(2, oddJson()))
                .map(String::valueOf);
        return Combinators.combine(
                        text,
                        Arbitraries.frequencyOf(
                                net.jqwik.api.Tuple.of(12, Arbitraries.just("none")),
                                net.jqwik.api.Tuple.of(1, Arbitraries.of("truncate", "invalid-utf8", "flip"))),
                        Arbitraries.integers().between(0, Integer.MAX_VALUE))
                .as((json, mutation, at) -> mutate(json.getBytes(StandardCharsets.UTF_8), mutation, at));
    }

    private static byte[] mutate(byte[] bytes, String mutation, int at) {
        if (bytes.length == 0 || mutation.equals("none")) {
            return bytes;
        }
        int position = at % bytes.length;
        return switch (mutation) {
            case "truncate" -> java.util.Arrays.copyOf(bytes, position);
            case "invalid-utf8" -> {
                byte[] broken = new byte[bytes.length + 2];
                System.arraycopy(bytes, 0, broken, 0, position);
                broken[position] = (byte) 0xC3;
                broken[position + 1] = (byte) 0x28;
                System.arraycopy(bytes, position, broken, position + 2, bytes.length - position);
                yield broken;
            }
            default -> {
                byte[] flipped = bytes.clone();
                flipped[position] = (byte) (flipped[position] ^ 0x5A);
                yield flipped;
            }
        };
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(20, Arbitraries.just("application/json")),
                        net.jqwik.api.Tuple.of(
                                2,
                                Arbitraries.of(
                                        "application/json; charset=UTF-8",
                                        "application/json; charset=ISO-8859-1",
                                        "text/plain",
                                        "application/xml",
                                        "application/x-www-form-urlencoded",
                                        "multipart/form-data; boundary=x",
                                        "application/json; charset=nonsense",
                                        "*/*")))
                .map(String::valueOf)
                .injectNull(0.02);
    }

    @Provide
    Arbitrary<String> accepts() {
        return Arbitraries.of("application/json", "*/*", "application/problem+json", "text/html", "application/xml")
                .injectNull(0.85);
    }

    @Provide
    Arbitrary<String> userSegments() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(
                        6,
                        Arbitraries.strings()
                                .alpha()
                                .numeric()
                                .withChars('-', '_', '.')
                                .ofMinLength(1)
                                .ofMaxLength(60)),
                net.jqwik.api.Tuple.of(
                        1, Arbitraries.strings().ofMinLength(0).ofMaxLength(60).map(EdgeFuzzIT::pathSegment)),
                net.jqwik.api.Tuple.of(
                        2,
                        Arbitraries.of(
                                "..",
                                "%2e%2e",
                                "%2F",
                                "a%2Fb",
                                "a%00b",
                                "%C3%28",
                                "%FF",
                                ";x=1",
                                "~",
                                "%20",
                                "%E2%80%AE",
                                "a%5Cb",
                                "%25",
                                "u1")),
                net.jqwik.api.Tuple.of(
                        1, Arbitraries.integers().between(500, 20_000).map("u"::repeat)));
    }

    @Provide
    Arbitrary<String> queries() {
        Arbitrary<String> limit = Arbitraries.of(
                "",
                "limit=10",
                "limit=0",
                "limit=-1",
                "limit=ten",
                "limit=1e3",
                "limit=201",
                "limit=99999999999999999999",
                "limit=%00",
                "limit=5&limit=6");
        Arbitrary<String> depth = Arbitraries.of(
                "",
                "max_depth=full",
                "max_depth=FULL",
                "max_depth=deepest",
                "max_depth=",
                "max_depth=unspecified",
                "max_depth=%00");
        Arbitrary<String> exclude = Arbitraries.oneOf(
                Arbitraries.of("", "exclude=a,b", "exclude=,,,", "exclude=%2C"),
                Arbitraries.integers().between(100, 3_000).map(n -> "exclude=" + "i,".repeat(n)));
        return Combinators.combine(limit, depth, exclude).as((l, d, e) -> {
            String all = String.join(
                    "&",
                    java.util.stream.Stream.of(l, d, e)
                            .filter(s -> !s.isEmpty())
                            .toList());
            return all.isEmpty() ? "" : "?" + all;
        });
    }

    @Provide
    Arbitrary<String> deadlines() {
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(2, Arbitraries.of("2000", "10000")),
                        net.jqwik.api.Tuple.of(
                                1, Arbitraries.of("soon", "0", "-5", "30001", "99999999999999999999", "1.5", "")))
                .injectNull(0.6);
    }

    @Provide
    Arbitrary<String> oddHeaders() {
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(8, Arbitraries.just("")),
                        net.jqwik.api.Tuple.of(
                                2, Arbitraries.integers().between(100, 40_000).map("h"::repeat)))
                .map(String::valueOf);
    }

    @Provide
    Arbitrary<String> grpcText() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(
                        6,
                        Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(40)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(40)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("", " ", "u1", "\u0000", "\ud83d\ude00")),
                net.jqwik.api.Tuple.of(
                        1, Arbitraries.integers().between(1_000, 100_000).map("x"::repeat)));
    }

    @Provide
    Arbitrary<Integer> grpcInts() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0, 200)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(-3, 300)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 1_000_000)));
    }

    @Provide
    Arbitrary<Integer> grpcDepths() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0, 4)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(-1, 5, Integer.MAX_VALUE)));
    }

    @Provide
    Arbitrary<List<String>> grpcTextLists() {
        return grpcText().list().ofMaxSize(5);
    }

    @Provide
    Arbitrary<List<Event>> grpcEvents() {
        long now = Instant.now().getEpochSecond();
        Arbitrary<Event> event = Combinators.combine(
                        grpcText(),
                        grpcText(),
                        grpcText(),
                        Arbitraries.frequencyOf(
                                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(1, 4)),
                                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(-1, 12))),
                        Arbitraries.frequencyOf(
                                net.jqwik.api.Tuple.of(6, Arbitraries.just(0)), net.jqwik.api.Tuple.of(1, grpcInts())),
                        Arbitraries.frequencyOf(
                                net.jqwik.api.Tuple.of(6, Arbitraries.just(0.0)),
                                net.jqwik.api.Tuple.of(1, Arbitraries.doubles()),
                                net.jqwik.api.Tuple.of(
                                        1, Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, -0.0, 5.0))),
                        Arbitraries.frequencyOf(
                                net.jqwik.api.Tuple.of(6, Arbitraries.longs().between(now - 86_400, now)),
                                net.jqwik.api.Tuple.of(
                                        1, Arbitraries.longs().between(-100_000_000_000L, 400_000_000_000L))),
                        Arbitraries.frequencyOf(
                                net.jqwik.api.Tuple.of(6, Arbitraries.just(0)),
                                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(-5, 2_000_000_000))))
                .as((id, user, item, type, quantity, value, seconds, nanos) -> Event.newBuilder()
                        .setEventId(id)
                        .setUserId(user)
                        .setItemId(item)
                        .setTypeValue(type)
                        .setQuantity(quantity)
                        .setValue(value)
                        .setOccurredAt(
                                Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos))
                        .build());
        return event.list().ofMinSize(0).ofMaxSize(5);
    }

    @Provide
    Arbitrary<List<Item>> grpcItems() {
        Arbitrary<Item> item = Combinators.combine(
                        grpcText(),
                        grpcText(),
                        grpcText(),
                        Arbitraries.frequencyOf(
                                net.jqwik.api.Tuple.of(6, Arbitraries.doubles().between(0, 1_000)),
                                net.jqwik.api.Tuple.of(1, Arbitraries.of(Double.NaN, -1.0, 1e308))),
                        Arbitraries.of("GBP", "GBP", "GBP", "", "xx", "EURO"),
                        Arbitraries.frequencyOf(
                                net.jqwik.api.Tuple.of(
                                        6,
                                        Arbitraries.longs()
                                                .between(
                                                        Instant.now().getEpochSecond() - 86_400,
                                                        Instant.now().getEpochSecond())),
                                net.jqwik.api.Tuple.of(
                                        1, Arbitraries.longs().between(-100_000_000_000L, 400_000_000_000L))))
                .as((id, title, category, price, currency, seconds) -> Item.newBuilder()
                        .setItemId(id)
                        .setTitle(title)
                        .setCategory(category)
                        .setPrice(price)
                        .setCurrency(currency)
                        .setUpdatedAt(Timestamp.newBuilder().setSeconds(seconds))
                        .build());
        return item.list().ofMinSize(0).ofMaxSize(5);
    }

    private static String quoted(String text) {
        return JSON.writeValueAsString(text);
    }

    private static String pathSegment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
