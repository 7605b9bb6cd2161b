package io.recsys.ingestion.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.errors.GrpcErrors;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.EventContext;
import io.recsys.contracts.events.v1.EventOutcome;
import io.recsys.contracts.events.v1.EventResult;
import io.recsys.contracts.events.v1.IngestEventsRequest;
import io.recsys.contracts.events.v1.IngestEventsResponse;
import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import io.recsys.contracts.events.v1.UpsertItemsRequest;
import io.recsys.contracts.events.v1.UpsertItemsResponse;
import io.recsys.ingestion.ingest.AppendLimiter;
import io.recsys.testsupport.RealRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Through the real gRPC server on a socket, against a real Redis. */
@SpringBootTest(
        properties = {
            "spring.grpc.server.port=0",
            "server.port=0",
            "recsys.ingestion.max-batch-size=50",
            "recsys.ingestion.max-concurrent-batches=1",
            "recsys.event-log.max-events-per-entry=4"
        })
class IngestionGrpcIntegrationTest {

    @RegisterExtension
    static final RealRedis redis = new RealRedis();

    @DynamicPropertySource
    static void redisProperties(DynamicPropertyRegistry registry) {
        redis.registerSpringProperties(registry::add);
    }

    @LocalGrpcServerPort
    int grpcPort;

    @Autowired
    AppendLimiter appendLimiter;

    @Autowired
    StringRedisTemplate redisTemplate;

    @Autowired
    EventLogPartitions partitions;

    private ManagedChannel channel;
    private IngestionServiceGrpc.IngestionServiceBlockingStub ingestion;

    @BeforeEach
    void connect() {
        redisTemplate
                .getRequiredConnectionFactory()
                .getConnection()
                .serverCommands()
                .flushAll();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort)
                .usePlaintext()
                .build();
        ingestion = IngestionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static Event event(String id, String user, String item, EventType type) {
        return Event.newBuilder()
                .setEventId(id)
                .setUserId(user)
                .setItemId(item)
                .setType(type)
                .build();
    }

    /** Every entry of the log, partition after partition, each partition in log order. */
    private List<EventLogCodec.Entry> entries() {
        List<EventLogCodec.Entry> entries = new ArrayList<>();
        for (int p = 0; p < partitions.count(); p++) {
            List<MapRecord<String, String, String>> records =
                    redisTemplate.<String, String>opsForStream().read(StreamOffset.fromStart(partitions.streamKey(p)));
            if (records != null) {
                records.forEach(record -> entries.add(EventLogCodec.decode(record.getValue())));
            }
        }
        return entries;
    }

    /** Every event in the log. */
    private List<Event> log() {
        List<Event> events = new ArrayList<>();
        for (EventLogCodec.Entry entry : entries()) {
            if (entry instanceof EventLogCodec.LoggedEvents logged) {
                events.addAll(logged.events());
            }
        }
        return events;
    }

    @Test
    void aBatchIsJudgedPerEventAndOnlyValidNewEventsReachTheLog() {
        IngestEventsResponse response = ingestion.ingestEvents(IngestEventsRequest.newBuilder()
                .addEvents(event("e1", "u1", "i1", EventType.EVENT_TYPE_VIEW))
                .addEvents(event("e2", "u1", "", EventType.EVENT_TYPE_CLICK))
                .addEvents(event("e1", "u1", "i1", EventType.EVENT_TYPE_VIEW))
                .addEvents(event("e3", "u2", "i9", EventType.EVENT_TYPE_PURCHASE))
                .build());

        assertThat(response.getResultsList())
                .extracting(EventResult::getOutcome)
                .containsExactly(
                        EventOutcome.EVENT_OUTCOME_ACCEPTED, EventOutcome.EVENT_OUTCOME_REJECTED,
                        EventOutcome.EVENT_OUTCOME_DUPLICATE, EventOutcome.EVENT_OUTCOME_ACCEPTED);
        assertThat(response.getResults(1).getViolationsList())
                .singleElement()
                .satisfies(v -> assertThat(v.getField()).isEqualTo("events[1].item_id"));
        assertThat(response.getAccepted()).isEqualTo(2);
        assertThat(response.getDuplicates()).isEqualTo(1);
        assertThat(response.getRejected()).isEqualTo(1);
        assertThat(log()).extracting(Event::getEventId).containsExactlyInAnyOrder("e1", "e3");

        IngestEventsResponse replay = ingestion.ingestEvents(IngestEventsRequest.newBuilder()
                .addEvents(event("e3", "u2", "i9", EventType.EVENT_TYPE_PURCHASE))
                .build());
        assertThat(replay.getDuplicates()).isEqualTo(1);
        assertThat(log()).hasSize(2);
        long window = Instant.now().toEpochMilli() / Duration.ofHours(24).toMillis();
        String seen = partitions.seenKey(partitions.ofUser("u1"), window);
        assertThat(redisTemplate.opsForSet().isMember(seen, "e1")).isTrue();
        // kept until the next window ends: at least one whole window after the id was added, at most two
        assertThat(redisTemplate.getExpire(seen, TimeUnit.SECONDS)).isBetween(86_400L, 2 * 86_400L + 1);
    }

    @Test
    void aPartitionsShareOfABatchIsSplitIntoBoundedEntriesAndDuplicatesAreCaughtAcrossThem() {
        IngestEventsRequest.Builder batch = IngestEventsRequest.newBuilder();
        for (int i = 1; i <= 9; i++) {
            batch.addEvents(event("split-" + i, "u7", "i" + i, EventType.EVENT_TYPE_VIEW));
        }
        batch.addEvents(event("split-1", "u7", "i1", EventType.EVENT_TYPE_VIEW));

        IngestEventsResponse response = ingestion.ingestEvents(batch.build());

        // max-events-per-entry is 4 here: entries of 4, 4 and 2, the last one's repeat of the first entry's id caught
        assertThat(response.getAccepted()).isEqualTo(9);
        assertThat(response.getResults(9).getOutcome()).isEqualTo(EventOutcome.EVENT_OUTCOME_DUPLICATE);
        assertThat(entries())
                .extracting(e -> ((EventLogCodec.LoggedEvents) e).events().size())
                .containsExactly(4, 4, 1);
    }

    @Test
    void aDuplicateInABatchLeavesTheOtherEventsTextIntact() {
        Event accented = event("txt-1", "u5", "i1", EventType.EVENT_TYPE_VIEW).toBuilder()
                .setContext(EventContext.newBuilder().setPage("café ☕ 𝄞\tand a tab"))
                .build();
        Event plain = event("txt-2", "u5", "i2", EventType.EVENT_TYPE_VIEW).toBuilder()
                .setContext(EventContext.newBuilder().setPage("naïve"))
                .build();

        IngestEventsResponse response = ingestion.ingestEvents(IngestEventsRequest.newBuilder()
                .addEvents(accented)
                .addEvents(accented)
                .addEvents(plain)
                .build());

        assertThat(response.getDuplicates()).isEqualTo(1);
        assertThat(log()).extracting(e -> e.getContext().getPage()).containsExactly("café ☕ 𝄞\tand a tab", "naïve");
    }

    @Test
    void aStringThatIsNotUtf8RejectsOnlyItsOwnEvent() {
        // Bytes a JSON encoder would never produce, but a gRPC client can send: a Latin-1 "é" and a lone continuation
        // byte
        Event latin1Page = event("u8-2", "u1", "i2", EventType.EVENT_TYPE_CLICK).toBuilder()
                .setContext(EventContext.newBuilder()
                        .setPageBytes(ByteString.copyFrom(new byte[] {'c', 'a', 'f', (byte) 0xE9})))
                .build();
        Event badItem = event("u8-3", "u1", "x", EventType.EVENT_TYPE_VIEW).toBuilder()
                .setItemIdBytes(ByteString.copyFrom(new byte[] {'i', (byte) 0x80}))
                .build();

        IngestEventsResponse response = ingestion.ingestEvents(IngestEventsRequest.newBuilder()
                .addEvents(event("u8-1", "u1", "i1", EventType.EVENT_TYPE_VIEW))
                .addEvents(latin1Page)
                .addEvents(badItem)
                .addEvents(event("u8-4", "u1", "i4", EventType.EVENT_TYPE_VIEW))
                .build());

        assertThat(response.getResultsList())
                .extracting(EventResult::getOutcome)
                .containsExactly(
                        EventOutcome.EVENT_OUTCOME_ACCEPTED, EventOutcome.EVENT_OUTCOME_REJECTED,
                        EventOutcome.EVENT_OUTCOME_REJECTED, EventOutcome.EVENT_OUTCOME_ACCEPTED);
        assertThat(response.getResults(1).getViolationsList()).singleElement().satisfies(v -> {
            assertThat(v.getField()).isEqualTo("events[1].context.page");
            assertThat(v.getDescription()).isEqualTo("is not valid UTF-8");
        });
        assertThat(response.getResults(2).getViolationsList())
                .singleElement()
                .satisfies(v -> assertThat(v.getField()).isEqualTo("events[2].item_id"));
        assertThat(log()).extracting(Event::getEventId).contains("u8-1", "u8-4").doesNotContain("u8-2", "u8-3");
    }

    @Test
    void emptyAndOversizeBatchesAreInvalidArgumentsNamingTheField() {
        assertThatThrownBy(() -> ingestion.ingestEvents(IngestEventsRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(GrpcErrors.fieldViolations(e))
                            .singleElement()
                            .satisfies(v -> assertThat(v.getField()).isEqualTo("events"));
                });
        IngestEventsRequest.Builder oversize = IngestEventsRequest.newBuilder();
        IntStream.range(0, 51).forEach(i -> oversize.addEvents(event("e" + i, "u", "i", EventType.EVENT_TYPE_VIEW)));
        assertThatThrownBy(() -> ingestion.ingestEvents(oversize.build()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription())
                                .isEqualTo("events: at most 50 events per batch, got 51"));
        assertThat(log()).isEmpty();
    }

    @Test
    void clientStreamingCountsEverythingAndListsWhatWasNotAccepted() throws Exception {
        CompletableFuture<IngestEventsResponse> answer = new CompletableFuture<>();
        StreamObserver<IngestEventsRequest> upload = IngestionServiceGrpc.newStub(channel)
                .streamEvents(new StreamObserver<>() {
                    @Override
                    public void onNext(IngestEventsResponse value) {
                        answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                });
        for (int batch = 0; batch < 4; batch++) {
            IngestEventsRequest.Builder request = IngestEventsRequest.newBuilder();
            for (int i = 0; i < 25; i++) {
                request.addEvents(event("s" + (batch * 25 + i), "u" + i, "i" + batch, EventType.EVENT_TYPE_CLICK));
            }
            upload.onNext(request.build());
        }
        upload.onNext(IngestEventsRequest.newBuilder()
                .addEvents(event("s0", "u0", "i0", EventType.EVENT_TYPE_CLICK))
                .addEvents(event("bad", "u0", "i0", EventType.EVENT_TYPE_UNSPECIFIED))
                .build());
        upload.onCompleted();

        IngestEventsResponse summary = answer.get(10, TimeUnit.SECONDS);
        // s0 was sent twice within the stream; ids sent earlier by unary calls count as well (below)
        assertThat(summary.getAccepted()).isEqualTo(100);
        assertThat(summary.getDuplicates()).isEqualTo(1);
        assertThat(summary.getRejected()).isEqualTo(1);
        assertThat(summary.getResultsList()).extracting(EventResult::getIndex).containsExactly(100, 101);
        assertThat(log()).hasSize(100);

        IngestEventsResponse again = ingestion.ingestEvents(IngestEventsRequest.newBuilder()
                .addEvents(event("s42", "u17", "i1", EventType.EVENT_TYPE_CLICK))
                .build());
        assertThat(again.getDuplicates())
                .as("an id first seen in a stream, sent again by a unary call")
                .isEqualTo(1);
    }

    @Test
    void catalogUpsertsAreLoggedForTheFeatureStore() {
        UpsertItemsResponse response = ingestion.upsertItems(UpsertItemsRequest.newBuilder()
                .addItems(Item.newBuilder()
                        .setItemId("i1")
                        .setTitle("Mug")
                        .setCategory("kitchen")
                        .setPrice(4.2)
                        .setCurrency("GBP"))
                .addItems(Item.newBuilder().setItemId("i2").setPrice(-1).setCurrency("pounds"))
                // beyond what epoch milliseconds hold: once an INTERNAL failure of the whole batch (EdgeFuzzIT)
                .addItems(Item.newBuilder()
                        .setItemId("i3")
                        .setUpdatedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(-99_999_999_999L)))
                .build());

        assertThat(response.getUpserted()).isEqualTo(1);
        assertThat(response.getResults(1).getViolationsList())
                .extracting(v -> v.getField())
                .containsExactly("items[1].price", "items[1].currency");
        assertThat(response.getResults(2).getViolationsList())
                .extracting(v -> v.getField())
                .containsExactly("items[2].updated_at");
        assertThat(entries())
                .singleElement()
                .satisfies(entry -> assertThat(entry).isInstanceOfSatisfying(EventLogCodec.LoggedItem.class, logged -> {
                    assertThat(logged.item().getItemId()).isEqualTo("i1");
                    assertThat(logged.item().getTitle()).isEqualTo("Mug");
                }));
    }

    @Test
    void redisOutageIsAPromptUnavailableWithRetryHintAndTheServiceRecoversByItself() {
        redis.stop();
        try {
            // refused with UNAVAILABLE and a retry hint, not held until the caller's deadline
            assertThatThrownBy(() -> ingestion
                            .withDeadlineAfter(60, TimeUnit.SECONDS)
                            .ingestEvents(IngestEventsRequest.newBuilder()
                                    .addEvents(event("down-1", "u1", "i1", EventType.EVENT_TYPE_VIEW))
                                    .build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(GrpcErrors.retryDelay(e)).contains(Duration.ofSeconds(1));
                    });
        } finally {
            redis.restart();
        }
        List<IngestEventsResponse> answers = new ArrayList<>();
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    answers.add(ingestion.ingestEvents(IngestEventsRequest.newBuilder()
                            .addEvents(event("back-1", "u1", "i1", EventType.EVENT_TYPE_VIEW))
                            .build()));
                });
        assertThat(answers.getLast().getResults(0).getOutcome())
                .isIn(EventOutcome.EVENT_OUTCOME_ACCEPTED, EventOutcome.EVENT_OUTCOME_DUPLICATE);
    }

    @Test
    void aBatchBeyondTheOnesInFlightIsTurnedAwayAtOnceWithAHint() throws Exception {
        // the one batch allowed in flight (max-concurrent-batches=1) is held, as a slow store would hold it
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Boolean> inFlight = CompletableFuture.supplyAsync(() -> appendLimiter.run(() -> {
            holding.countDown();
            try {
                return release.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }));
        try {
            assertThat(holding.await(1, TimeUnit.MINUTES)).isTrue();
            assertThatThrownBy(() -> ingestion.ingestEvents(IngestEventsRequest.newBuilder()
                            .addEvents(event("slow-2", "u1", "i1", EventType.EVENT_TYPE_VIEW))
                            .build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                        assertThat(GrpcErrors.retryDelay(e)).contains(Duration.ofSeconds(1));
                    });
        } finally {
            release.countDown();
        }
        assertThat(inFlight.get(1, TimeUnit.MINUTES)).isTrue();
        assertThat(ingestion
                        .ingestEvents(IngestEventsRequest.newBuilder()
                                .addEvents(event("slow-3", "u1", "i1", EventType.EVENT_TYPE_VIEW))
                                .build())
                        .getAccepted())
                .isEqualTo(1);
    }

    @Test
    void standardGrpcHealthServiceAnswers() {
        HealthCheckResponse health = HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService("").build());

        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }
}
