package io.recsys.features.store;

import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.contracts.events.v1.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Writes log entries as the ingestion-service does, and applies the whole log as the consumer does, for tests. */
final class LogFixture {

    static final String CONSUMER = "fixture";

    private final StringRedisTemplate redis;
    private final EventLogPartitions partitions;
    private final FeatureWriter writer;
    private final PopularityLandmark landmark;

    LogFixture(
            StringRedisTemplate redis,
            EventLogPartitions partitions,
            FeatureWriter writer,
            PopularityLandmark landmark) {
        this.redis = redis;
        this.partitions = partitions;
        this.writer = writer;
        this.landmark = landmark;
    }

    /** Appends each event as its own log entry, as of {@code ingestedAt}. */
    void append(Instant ingestedAt, Event... events) {
        for (Event event : events) {
            redis.opsForStream()
                    .add(
                            partitions.streamKey(partitions.ofUser(event.getUserId())),
                            EventLogCodec.encodeEvents(List.of(event), ingestedAt));
        }
    }

    void append(Instant ingestedAt, Item item) {
        redis.opsForStream()
                .add(partitions.streamKey(partitions.ofUser(item.getItemId())), EventLogCodec.encode(item, ingestedAt));
    }

    /** Takes every partition's lease for {@link #CONSUMER}, then applies all it has not applied, in one round. */
    void applyAll(Instant now) {
        Map<Integer, List<FeatureWriter.LogEntry>> entries = new LinkedHashMap<>();
        for (int p = 0; p < partitions.count(); p++) {
            redis.opsForValue().set(partitions.ownerKey(p), CONSUMER);
            Object at = redis.opsForHash().get(partitions.stateKey(p), "at");
            List<MapRecord<String, String, String>> records = redis.<String, String>opsForStream()
                    .read(StreamOffset.create(
                            partitions.streamKey(p), ReadOffset.from(at == null ? "0-0" : at.toString())));
            List<FeatureWriter.LogEntry> partition = new ArrayList<>();
            for (MapRecord<String, String, String> record : records) {
                partition.add(
                        new FeatureWriter.LogEntry(record.getId().getValue(), EventLogCodec.decode(record.getValue())));
            }
            if (!partition.isEmpty()) {
                entries.put(p, partition);
            }
        }
        if (entries.isEmpty()) {
            return;
        }
        List<FeatureWriter.Round> rounds = new ArrayList<>();
        long roundLandmark = landmark.current().orElse(now.toEpochMilli());
        for (FeatureWriter.Started started : writer.start(CONSUMER, entries, roundLandmark, now)) {
            rounds.add(started.round()
                    .orElseThrow(() -> new IllegalStateException(
                            "partition " + started.partition() + " not started: " + started.status())));
        }
        writer.finish(rounds, now);
    }
}
