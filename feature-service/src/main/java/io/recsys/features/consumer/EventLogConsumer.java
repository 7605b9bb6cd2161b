package io.recsys.features.consumer;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.features.store.FeatureWriter;

/**
 * Follows the event log with a consumer group: reads a batch, applies it to the features, then
 * acknowledges it. A crash between apply and acknowledge replays the batch on restart (this
 * consumer first re-reads its own pending entries), so nothing acknowledged by ingestion is lost.
 * Survives Redis outages by backing off and resuming.
 */
@Component
public class EventLogConsumer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EventLogConsumer.class);

    private final StringRedisTemplate redis;
    private final FeatureWriter writer;
    private final ConsumerProperties properties;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Counter applied;
    private final Counter skipped;
    private final Counter failures;
    private Thread worker;

    public EventLogConsumer(StringRedisTemplate redis, FeatureWriter writer, ConsumerProperties properties, Clock clock,
            MeterRegistry meters) {
        this.redis = redis;
        this.writer = writer;
        this.properties = properties;
        this.clock = clock;
        this.applied = Counter.builder("recsys.features.log.entries").tag("result", "applied").register(meters);
        this.skipped = Counter.builder("recsys.features.log.entries").tag("result", "skipped").register(meters);
        this.failures = Counter.builder("recsys.features.log.failures").register(meters);
    }

    @Override
    public void start() {
        if (!properties.enabled() || !running.compareAndSet(false, true)) {
            return;
        }
        worker = Thread.ofPlatform().name("event-log-consumer").daemon().start(this::run);
    }

    @Override
    public void stop() {
        running.set(false);
        if (worker != null) {
            try {
                worker.join(properties.blockFor().plusSeconds(5).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running.get();
    }

    private void run() {
        boolean groupReady = false;
        // own pending entries first: whatever was read but not acknowledged before a restart
        boolean pendingFirst = true;
        while (running.get()) {
            try {
                if (!groupReady) {
                    ensureGroup();
                    groupReady = true;
                }
                List<MapRecord<String, String, String>> batch = read(pendingFirst);
                if (pendingFirst && batch.isEmpty()) {
                    pendingFirst = false;
                    continue;
                }
                apply(batch);
            } catch (DataAccessException e) {
                failures.increment();
                if (isMissingGroup(e)) {
                    groupReady = false;
                }
                log.warn("event log unavailable, retrying in {}: {}", properties.retryBackoff(), e.getMostSpecificCause().toString());
                pause();
            } catch (RuntimeException e) {
                failures.increment();
                log.error("failed to apply a batch of the event log; it stays pending and is retried", e);
                pendingFirst = true;
                pause();
            }
        }
    }

    private void ensureGroup() {
        try {
            byte[] stream = properties.streamKey().getBytes(StandardCharsets.UTF_8);
            redis.execute((RedisCallback<String>) connection ->
                    connection.streamCommands().xGroupCreate(stream, properties.group(), ReadOffset.from("0"), true));
            log.info("created consumer group {} on {}", properties.group(), properties.streamKey());
        } catch (RedisSystemException e) {
            if (!String.valueOf(e.getMostSpecificCause().getMessage()).contains("BUSYGROUP")) {
                throw e;
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private List<MapRecord<String, String, String>> read(boolean pending) {
        StreamReadOptions options = StreamReadOptions.empty().count(properties.batchSize());
        ReadOffset offset = pending ? ReadOffset.from("0") : ReadOffset.lastConsumed();
        if (!pending) {
            options = options.block(properties.blockFor());
        }
        List records = redis.opsForStream().read(Consumer.from(properties.group(), properties.consumerName()), options,
                StreamOffset.create(properties.streamKey(), offset));
        return records == null ? List.of() : records;
    }

    private void apply(List<MapRecord<String, String, String>> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<EventLogCodec.Entry> entries = new ArrayList<>(batch.size());
        List<RecordId> ids = new ArrayList<>(batch.size());
        for (MapRecord<String, String, String> record : batch) {
            EventLogCodec.Entry entry = decode(record);
            if (entry instanceof EventLogCodec.Unknown unknown) {
                skipped.increment();
                log.warn("skipping log entry {} of unknown kind {} / schema version {}", record.getId(), unknown.kind(), unknown.version());
            }
            entries.add(entry);
            ids.add(record.getId());
        }
        writer.apply(entries, clock.instant());
        redis.opsForStream().acknowledge(properties.streamKey(), properties.group(), ids.toArray(RecordId[]::new));
        applied.increment(entries.size());
    }

    // a malformed entry must not block the log forever: it is skipped and counted, like an unknown kind
    private static EventLogCodec.Entry decode(MapRecord<String, String, String> record) {
        Map<String, String> fields = record.getValue();
        try {
            return EventLogCodec.decode(fields);
        } catch (RuntimeException e) {
            return new EventLogCodec.Unknown(fields.getOrDefault("kind", "?") + " (malformed: " + e + ")", fields.getOrDefault("v", "?"));
        }
    }

    private static boolean isMissingGroup(DataAccessException e) {
        return String.valueOf(e.getMostSpecificCause().getMessage()).contains("NOGROUP");
    }

    private void pause() {
        try {
            Thread.sleep(properties.retryBackoff().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }
}
