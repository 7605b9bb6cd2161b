package io.recsys.ingestion.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.EventOutcome;
import io.recsys.contracts.events.v1.EventResult;
import io.recsys.contracts.events.v1.IngestEventsRequest;
import io.recsys.contracts.events.v1.IngestEventsResponse;
import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * "Acknowledged means durable" with Redis configured for it (AOF, fsync always): a Redis process is killed with SIGKILL
 * in the middle of steady ingestion and restarted; every event that was acknowledged is in the log afterwards, and its
 * id is still remembered. Run on a single Redis ({@link DurabilityTest}) and on a Redis Cluster
 * ({@link ClusterDurabilityTest}).
 */
abstract class DurabilityScenario {

    /** Kills (SIGKILL) the Redis process that holds some of the log. */
    abstract void crash() throws Exception;

    /** Starts it again from its append-only file. */
    abstract void restart() throws Exception;

    @LocalGrpcServerPort
    int grpcPort;

    @Autowired
    StringRedisTemplate redisTemplate;

    @Autowired
    EventLogPartitions partitions;

    /** Ingestion calls answered or refused so far: a crash hook can wait for some to happen. */
    final AtomicInteger calls = new AtomicInteger();

    @Test
    void everyAcknowledgedEventSurvivesARedisCrash() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort)
                .usePlaintext()
                .build();
        IngestionServiceGrpc.IngestionServiceBlockingStub ingestion = IngestionServiceGrpc.newBlockingStub(channel);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger refusedCalls = new AtomicInteger();
        Thread writer = Thread.ofPlatform().start(() -> {
            int next = 0;
            while (running.get()) {
                IngestEventsRequest.Builder batch = IngestEventsRequest.newBuilder();
                for (int i = 0; i < 100; i++, next++) {
                    batch.addEvents(Event.newBuilder()
                            .setEventId("d" + next)
                            .setUserId("u" + next % 97)
                            .setItemId("i" + next % 31)
                            .setType(EventType.EVENT_TYPE_VIEW));
                }
                try {
                    IngestEventsResponse response =
                            ingestion.withDeadlineAfter(5, TimeUnit.SECONDS).ingestEvents(batch.build());
                    for (EventResult result : response.getResultsList()) {
                        if (result.getOutcome() == EventOutcome.EVENT_OUTCOME_ACCEPTED) {
                            acknowledged.add(result.getEventId());
                        }
                    }
                } catch (StatusRuntimeException refused) {
                    refusedCalls.incrementAndGet();
                    sleep(20);
                }
                calls.incrementAndGet();
            }
        });

        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() > 100);
        crash();
        // callers see the outage before Redis returns
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> refusedCalls.get() > 0);
        restart();
        int atRestart = acknowledged.size();
        // ingestion resumes once the client has reconnected (its back-off, however slow the machine)
        Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> acknowledged.size() > atRestart + 100);
        running.set(false);
        writer.join();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

        Set<String> logged = new HashSet<>();
        for (int p = 0; p < partitions.count(); p++) {
            List<MapRecord<String, String, String>> log =
                    redisTemplate.<String, String>opsForStream().read(StreamOffset.fromStart(partitions.streamKey(p)));
            log.forEach(record -> ((EventLogCodec.LoggedEvents) EventLogCodec.decode(record.getValue()))
                    .events()
                    .forEach(event -> logged.add(event.getEventId())));
        }
        // set difference rather than containsAll: AssertJ compares element by element, quadratic in tens of thousands
        Set<String> missing = new HashSet<>(acknowledged);
        missing.removeAll(logged);
        assertThat(missing).as("acknowledged events missing after the crash").isEmpty();
        long window = Instant.now().toEpochMilli() / Duration.ofHours(24).toMillis();
        int partition = partitions.ofUser("u0");
        assertThat(redisTemplate.opsForSet().isMember(partitions.seenKey(partition, window), "d0")
                        || redisTemplate.opsForSet().isMember(partitions.seenKey(partition, window - 1), "d0"))
                .as("the first event's id is remembered")
                .isTrue();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
