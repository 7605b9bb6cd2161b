package io.recsys.features.consumer;

import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.features.store.FeatureWriter;
import io.recsys.features.store.PopularityLandmark;
import io.recsys.servicekit.redis.RedisLink;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamInfo;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Follows the event log with a consumer group. Each batch is applied and acknowledged in one atomic script, entry by
 * entry, so every entry is applied exactly once: what this consumer read but did not get to apply stays pending and is
 * re-read after a restart; what a consumer that never came back left pending is claimed (XAUTOCLAIM) after
 * {@code claim-idle}. Survives Redis outages by backing off and resuming.
 */
@Component
public class EventLogConsumer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EventLogConsumer.class);

    private final StringRedisTemplate redis;
    private final RedisLink link;
    private final FeatureWriter writer;
    private final PopularityLandmark landmark;
    private final ConsumerProperties properties;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Counter applied;
    private final Counter skipped;
    private final Counter failures;
    private final Counter alreadyApplied;
    private final Counter claimed;
    private final AtomicLong lag = new AtomicLong(-1);
    private final AtomicLong pending = new AtomicLong(-1);
    private Thread worker;

    public EventLogConsumer(
            StringRedisTemplate redis,
            RedisLink link,
            FeatureWriter writer,
            PopularityLandmark landmark,
            ConsumerProperties properties,
            Clock clock,
            MeterRegistry meters) {
        if (properties.blockFor().compareTo(link.commandTimeout()) >= 0) {
            // a read that waits as long as the client's timeout would time out whenever the log is idle
            throw new IllegalStateException("recsys.features.consumer.block-for (" + properties.blockFor()
                    + ") must be shorter than spring.data.redis.timeout (" + link.commandTimeout() + ")");
        }
        this.redis = redis;
        this.link = link;
        this.writer = writer;
        this.landmark = landmark;
        this.properties = properties;
        this.clock = clock;
        this.applied = Counter.builder("recsys.features.log.entries")
                .tag("result", "applied")
                .register(meters);
        this.skipped = Counter.builder("recsys.features.log.entries")
                .tag("result", "skipped")
                .register(meters);
        this.alreadyApplied = Counter.builder("recsys.features.log.entries")
                .tag("result", "already_applied")
                .register(meters);
        this.claimed = Counter.builder("recsys.features.log.claimed").register(meters);
        Gauge.builder("recsys.features.log.lag", lag, AtomicLong::get)
                .description("log entries the consumer group has not read yet (-1: unknown; Redis 7+ reports it)")
                .register(meters);
        Gauge.builder("recsys.features.log.pending", pending, AtomicLong::get)
                .description("log entries read by the group but not yet applied and acknowledged (-1: unknown)")
                .register(meters);
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
        long nextClaim = System.nanoTime();
        while (running.get()) {
            try {
                if (!groupReady) {
                    ensureGroup();
                    groupReady = true;
                }
                if (System.nanoTime() - nextClaim >= 0) {
                    nextClaim = System.nanoTime() + properties.claimEvery().toNanos();
                    if (landmark.rebaseIfDue(clock.instant())) {
                        log.info("moved the popularity landmark forward");
                    }
                    if (claimAbandoned() > 0) {
                        pendingFirst = true;
                    }
                    sampleBacklog();
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
                log.warn(
                        "event log unavailable, retrying in {}: {}",
                        properties.retryBackoff(),
                        e.getMostSpecificCause().toString());
                pause();
            } catch (RuntimeException e) {
                failures.increment();
                log.error("failed to apply a batch of the event log; it stays pending and is retried", e);
                pendingFirst = true;
                pause();
            }
        }
    }

    /** The group's backlog, for operators: read but unapplied entries, and entries not read at all. */
    private void sampleBacklog() {
        StreamInfo.XInfoGroups groups = redis.opsForStream().groups(properties.streamKey());
        groups.stream()
                .filter(group -> properties.group().equals(group.groupName()))
                .findFirst()
                .ifPresent(group -> {
                    pending.set(group.pendingCount());
                    Object reported = group.getRaw().get("lag");
                    lag.set(reported == null ? -1 : Long.parseLong(reported.toString()));
                });
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
        List records = redis.opsForStream()
                .read(
                        Consumer.from(properties.group(), properties.consumerName()),
                        options,
                        StreamOffset.create(properties.streamKey(), offset));
        return records == null ? List.of() : records;
    }

    private void apply(List<MapRecord<String, String, String>> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<FeatureWriter.LogEntry> entries = new ArrayList<>(batch.size());
        for (MapRecord<String, String, String> record : batch) {
            EventLogCodec.Entry entry = decode(record);
            if (entry instanceof EventLogCodec.Unknown unknown) {
                skipped.increment();
                log.warn(
                        "skipping log entry {} of unknown kind {} / schema version {}",
                        record.getId(),
                        unknown.kind(),
                        unknown.version());
            }
            entries.add(new FeatureWriter.LogEntry(record.getId().getValue(), entry));
        }
        long appliedNow =
                writer.applyAndAcknowledge(properties.streamKey(), properties.group(), entries, clock.instant());
        applied.increment((double) appliedNow);
        alreadyApplied.increment((double) (entries.size() - appliedNow - countUnknown(entries)));
    }

    private static long countUnknown(List<FeatureWriter.LogEntry> entries) {
        return entries.stream()
                .filter(e -> e.entry() instanceof EventLogCodec.Unknown)
                .count();
    }

    /** Takes over entries another consumer left pending for longer than {@code claim-idle}; returns how many. */
    private long claimAbandoned() {
        long total = 0;
        String cursor = "0-0";
        do {
            String start = cursor;
            ClaimedMessages<String, String> page = link.call(redis -> redis.xautoclaim(
                    properties.streamKey(),
                    XAutoClaimArgs.Builder.xautoclaim(
                                    io.lettuce.core.Consumer.from(properties.group(), properties.consumerName()),
                                    properties.claimIdle(),
                                    start)
                            .count(properties.batchSize())
                            .justid()));
            total += page.getMessages().size();
            cursor = page.getId();
        } while (!"0-0".equals(cursor) && running.get());
        if (total > 0) {
            claimed.increment((double) total);
            log.info("claimed {} entries left pending by other consumers", total);
        }
        return total;
    }

    // a malformed entry must not block the log forever: it is skipped and counted, like an unknown kind
    private static EventLogCodec.Entry decode(MapRecord<String, String, String> record) {
        Map<String, String> fields = record.getValue();
        try {
            return EventLogCodec.decode(fields);
        } catch (RuntimeException e) {
            return new EventLogCodec.Unknown(
                    fields.getOrDefault("kind", "?") + " (malformed: " + e + ")", fields.getOrDefault("v", "?"));
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
