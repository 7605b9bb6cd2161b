package io.recsys.recommendation.parity;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.features.v1.FeatureServiceGrpc;
import io.recsys.contracts.recommend.v1.CandidateSource;
import io.recsys.features.grpc.FeatureGrpcService;
import io.recsys.features.grpc.FeatureRequestValidator;
import io.recsys.features.store.FeatureReader;
import io.recsys.features.store.FeatureStoreProperties;
import io.recsys.features.store.FeatureWriter;
import io.recsys.recommendation.candidates.Candidate;
import io.recsys.recommendation.candidates.CandidateGeneration;
import io.recsys.recommendation.features.FeatureStore;
import io.recsys.recommendation.features.FeatureStore.ItemSignals;
import io.recsys.recommendation.features.FeatureStore.UserProfile;
import io.recsys.recommendation.features.GrpcFeatureStore;
import io.recsys.recommendation.inference.FeatureContract;
import io.recsys.recommendation.inference.ModelClient.ModelSchema;
import io.recsys.recommendation.ranking.RankingFeatures;
import io.recsys.servicekit.redis.RedisLink;
import io.recsys.testsupport.Configured;
import io.recsys.testsupport.RealRedis;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One feature contract, proven: the python-worker's golden file (recsys_worker.parity) holds a fixed event history and
 * the ranker inputs the worker trains on for it. The same events go through the real feature-service (its log
 * consumer's apply step with its Lua script, its reader and its gRPC interface, against a real Redis), and this
 * service's own code reads the shopper's state and assembles the inputs; both must agree to 1e-6.
 */
class FeatureParityTest {

    private static final String CONSUMER = "parity";
    private static final double TOLERANCE = 1e-6;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final RealRedis redis = new RealRedis();

    private static JsonNode golden;
    private static Instant asOf;
    private static LettuceConnectionFactory factory;
    private static RedisLink link;
    private static Server featureService;
    private static ManagedChannel channel;
    private static GrpcFeatureStore store;

    @BeforeAll
    static void replayTheHistoryThroughTheFeatureService() throws IOException {
        golden = read();
        asOf = Instant.ofEpochMilli(golden.get("as_of_millis").asLong());
        factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port()));
        factory.afterPropertiesSet();
        factory.start();
        link = new RedisLink(factory);
        StringRedisTemplate template = new StringRedisTemplate(factory);
        template.afterPropertiesSet();
        template.getRequiredConnectionFactory().getConnection().serverCommands().flushAll();

        EventLogPartitions partitions = EventLogPartitions.platform();
        // every entry as it was appended, to apply them in this order
        List<Map.Entry<Integer, FeatureWriter.LogEntry>> logged = new ArrayList<>();
        for (JsonNode item : golden.get("catalogue")) {
            Item entry = Item.newBuilder()
                    .setItemId(item.get("item_id").asString())
                    .setPrice(item.get("price").asDouble())
                    .build();
            logged.add(append(template, partitions.ofUser(entry.getItemId()), EventLogCodec.encode(entry, asOf)));
        }
        for (JsonNode event : golden.get("events")) {
            Event entry = Event.newBuilder()
                    .setEventId(event.get("event_id").asString())
                    .setUserId(event.get("user_id").asString())
                    .setItemId(event.get("item_id").asString())
                    .setType(EventType.valueOf(
                            "EVENT_TYPE_" + event.get("type").asString().toUpperCase(Locale.ROOT)))
                    .setOccurredAt(EventLogCodec.toTimestamp(
                            Instant.ofEpochMilli(event.get("occurred_at_millis").asLong())))
                    .build();
            logged.add(append(
                    template, partitions.ofUser(entry.getUserId()), EventLogCodec.encodeEvents(List.of(entry), asOf)));
        }
        for (int p = 0; p < partitions.count(); p++) {
            template.opsForValue().set(partitions.ownerKey(p), CONSUMER);
        }

        FeatureStoreProperties properties = Configured.defaults("recsys.features", FeatureStoreProperties.class);
        Clock clock = Clock.fixed(asOf, ZoneOffset.UTC);
        FeatureWriter writer = new FeatureWriter(link, properties, partitions);
        // one entry per round, in the order the worker saw the history: the order in which neighbour sets are cut
        // back depends on it (across partitions the consumer's order is the rounds', docs/feature-store.md)
        for (Map.Entry<Integer, FeatureWriter.LogEntry> entry : logged) {
            List<FeatureWriter.Started> started = writer.start(
                    CONSUMER, Map.of(entry.getKey(), List.of(entry.getValue())), asOf.toEpochMilli(), asOf);
            assertThat(started).extracting(FeatureWriter.Started::status).containsExactly(FeatureWriter.Status.STARTED);
            writer.finish(List.of(started.getFirst().round().orElseThrow()), asOf);
        }

        FeatureReader reader = new FeatureReader(link, clock, properties, partitions);
        featureService = ServerBuilder.forPort(0)
                .addService(new FeatureGrpcService(reader, new FeatureRequestValidator(properties), properties, clock))
                .build()
                .start();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", featureService.getPort())
                .usePlaintext()
                .build();
        store = new GrpcFeatureStore(FeatureServiceGrpc.newBlockingStub(channel));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        featureService.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        link.destroy();
        factory.destroy();
    }

    @Test
    void theWorkerTrainedWithThePlatformsContract() {
        JsonNode contract = golden.get("feature_contract");
        FeatureContract platform = FeatureContract.PLATFORM;

        assertThat(contract.get("recent_list").get("events").asInt()).isEqualTo(platform.recentEvents());
        JsonNode cooccurrence = contract.get("cooccurrence");
        assertThat(new FeatureContract(
                        contract.get("recent_list").get("events").asInt(),
                        cooccurrence.get("seed_items").asInt(),
                        cooccurrence.get("neighbours_per_seed").asInt(),
                        cooccurrence.get("pairs_per_event").asInt(),
                        cooccurrence.get("look_back_events").asInt(),
                        cooccurrence.get("neighbours_kept").asInt()))
                .isEqualTo(platform);
    }

    static Stream<String> shoppers() {
        List<String> ids = new ArrayList<>();
        golden().get("users").forEach(user -> ids.add(user.get("user_id").asString()));
        return ids.stream();
    }

    @ParameterizedTest
    @MethodSource("shoppers")
    void theRankerInputsAreTheOnesTheWorkerComputed(String userId) {
        JsonNode expected = user(userId);
        FeatureContract contract = FeatureContract.PLATFORM;
        UserProfile profile = store.profile(
                userId,
                new FeatureStore.ProfileQuery(
                        contract.recentEvents(), contract.cooccurrenceSeeds(), contract.neighboursPerSeed()),
                TIMEOUT);

        // the recent list the retrieval user vector and the co-occurrence seeds are read from
        assertThat(profile.recentItemIds()).containsExactlyElementsOf(strings(expected.get("recent_list")));

        // the co-occurrence feature of every item the seeds name
        Map<String, Double> cooccurrence = CandidateGeneration.cooccurrenceScores(profile.seedNeighbours());
        Map<String, Double> expectedCooccurrence = new HashMap<>();
        expected.get("cooccurrence")
                .properties()
                .forEach(e -> expectedCooccurrence.put(e.getKey(), e.getValue().asDouble()));
        assertThat(cooccurrence.keySet()).containsExactlyInAnyOrderElementsOf(expectedCooccurrence.keySet());
        expectedCooccurrence.forEach(
                (item, value) -> assertClose(cooccurrence.get(item), value, "cooccurrence " + item));

        // the ranker's inputs for the worker's candidates, assembled as the pipeline assembles them
        List<String> ids = strings(expected.get("candidates"));
        List<Candidate> candidates = ids.stream()
                .map(id -> new Candidate(
                        id,
                        EnumSet.of(CandidateSource.CANDIDATE_SOURCE_CO_OCCURRENCE),
                        0,
                        cooccurrence.getOrDefault(id, 0.0),
                        0))
                .toList();
        Map<String, ItemSignals> signals = store.items(ids, TIMEOUT);
        ModelSchema schema = new ModelSchema(
                "parity",
                strings(golden.get("user_feature_names")),
                strings(golden.get("item_feature_names")),
                Map.of(),
                contract);
        RankingFeatures.Inputs inputs = RankingFeatures.of(schema, profile, candidates, signals, asOf);

        List<Double> user = doubles(expected.get("user_features"));
        assertThat(inputs.user()).hasSize(user.size());
        for (int f = 0; f < user.size(); f++) {
            assertClose(
                    inputs.user()[f],
                    user.get(f),
                    "user feature " + schema.userFeatureNames().get(f));
        }
        assertThat(inputs.items()).hasNumberOfRows(ids.size());
        for (int c = 0; c < ids.size(); c++) {
            List<Double> row = doubles(expected.get("item_features").get(c));
            for (int f = 0; f < row.size(); f++) {
                assertClose(
                        inputs.items()[c][f],
                        row.get(f),
                        schema.itemFeatureNames().get(f) + " of " + ids.get(c) + " for " + userId);
            }
        }
    }

    private static void assertClose(double actual, double expected, String what) {
        assertThat(Math.abs(actual - expected))
                .as("%s: %s, the worker computed %s", what, actual, expected)
                .isLessThanOrEqualTo(TOLERANCE * Math.max(1.0, Math.abs(expected)));
    }

    private static Map.Entry<Integer, FeatureWriter.LogEntry> append(
            StringRedisTemplate template, int partition, Map<String, String> fields) {
        RecordId id = template.opsForStream().add(partitions(partition), fields);
        return Map.entry(partition, new FeatureWriter.LogEntry(id.getValue(), EventLogCodec.decode(fields)));
    }

    private static String partitions(int partition) {
        return EventLogPartitions.platform().streamKey(partition);
    }

    private static JsonNode user(String userId) {
        for (JsonNode user : golden.get("users")) {
            if (user.get("user_id").asString().equals(userId)) {
                return user;
            }
        }
        throw new IllegalArgumentException(userId);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asString()));
        return values;
    }

    private static List<Double> doubles(JsonNode array) {
        List<Double> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asDouble()));
        return values;
    }

    private static JsonNode golden() {
        return golden == null ? read() : golden;
    }

    private static JsonNode read() {
        try (InputStream in = FeatureParityTest.class.getResourceAsStream("/parity/feature-parity.json")) {
            if (in == null) {
                throw new IllegalStateException("the golden file is missing: recsys-worker parity-golden writes it");
            }
            return JsonMapper.builder().build().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
