package io.recsys.features.consumer;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.features.store.FeatureWriter;
import io.recsys.features.store.PopularityLandmark;
import io.recsys.servicekit.redis.RedisLink;
import io.recsys.servicekit.tracing.LogTracing;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Follows the event log's partitions that this replica holds ({@link PartitionLeases}), a round at a time: each
 * partition's new entries since its position are read together (one round trip for all partitions) and applied by
 * {@link FeatureWriter} in four more. The position is kept in Redis with the features it describes, so a restart, a
 * crash or a takeover by another replica continues exactly where the last applied round ended. Survives Redis outages
 * by backing off and resuming.
 */
@Component
public class EventLogConsumer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EventLogConsumer.class);

    private final RedisLink redis;
    private final FeatureWriter writer;
    private final PartitionLeases leases;
    private final PopularityLandmark landmark;
    private final EventLogPartitions partitions;
    private final ConsumerProperties properties;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Counter appliedEvents;
    private final Counter appliedItems;
    private final Counter skipped;
    private final Counter failures;
    private final Counter rounds;
    private final AtomicLong lag = new AtomicLong(-1);
    private final AtomicLong heldPartitions = new AtomicLong();
    /** Where each held partition's log is applied up to (a stream id; "0-0" before its first entry). */
    private final Map<Integer, String> positions = new HashMap<>();
    /** Held partitions whose stored round (if any) must be finished and position read before going on. */
    private final Set<Integer> toRecover = new TreeSet<>();

    private Thread worker;
    private final LogTracing tracing;

    public EventLogConsumer(
            RedisLink redis,
            FeatureWriter writer,
            PartitionLeases leases,
            PopularityLandmark landmark,
            EventLogPartitions partitions,
            ConsumerProperties properties,
            Clock clock,
            MeterRegistry meters,
            LogTracing tracing) {
        this.redis = redis;
        this.tracing = tracing;
        this.writer = writer;
        this.leases = leases;
        this.landmark = landmark;
        this.partitions = partitions;
        this.properties = properties;
        this.clock = clock;
        this.appliedEvents = Counter.builder("recsys.feature.log.applied")
                .tag("kind", "event")
                .description("events and catalog entries of the log applied to the features")
                .register(meters);
        this.appliedItems = Counter.builder("recsys.feature.log.applied")
                .tag("kind", "item")
                .description("events and catalog entries of the log applied to the features")
                .register(meters);
        this.skipped = Counter.builder("recsys.feature.log.skipped")
                .description("log entries of an unknown kind or version, or unreadable, passed over")
                .register(meters);
        this.rounds = Counter.builder("recsys.feature.log.rounds").register(meters);
        this.failures = Counter.builder("recsys.feature.log.failures").register(meters);
        Gauge.builder("recsys.feature.log.lag", lag, AtomicLong::get)
                .description("events and catalog entries logged but not yet applied, all partitions (-1: unknown)")
                .register(meters);
        Gauge.builder("recsys.feature.log.partitions.held", heldPartitions, AtomicLong::get)
                .description("event log partitions this replica applies")
                .register(meters);
        // beside the held ones, so that an alert sees partitions no replica applies
        Gauge.builder("recsys.feature.log.partitions", partitions, EventLogPartitions::count)
                .description("event log partitions in all")
                .register(meters);
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
                worker.join(properties.retryBackoff().plusSeconds(5).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            leases.releaseAll();
        } catch (DataAccessException e) {
            log.warn("could not give the partition leases up; they lapse after {}", properties.leaseTtl());
        }
    }

    @Override
    public boolean isRunning() {
        return running.get();
    }

    private void run() {
        long nextRenewal = System.nanoTime();
        long idlePause = 0;
        while (running.get()) {
            try {
                if (System.nanoTime() - nextRenewal >= 0) {
                    nextRenewal = System.nanoTime() + properties.renewEvery().toNanos();
                    renew();
                }
                recover();
                if (applyRound()) {
                    idlePause = 0;
                } else {
                    long longest = properties.maxIdlePause().toMillis();
                    idlePause = Math.min(longest, Math.max(1, Math.max(longest / 16, idlePause * 2)));
                    pause(idlePause);
                }
            } catch (DataAccessException e) {
                failures.increment();
                toRecover.addAll(positions.keySet());
                log.warn(
                        "event log unavailable, retrying in {}: {}",
                        properties.retryBackoff(),
                        e.getMostSpecificCause().toString());
                pause(properties.retryBackoff().toMillis());
            } catch (RuntimeException e) {
                failures.increment();
                toRecover.addAll(positions.keySet());
                log.error("failed to apply a round of the event log; it is applied again from where it stopped", e);
                pause(properties.retryBackoff().toMillis());
            }
        }
    }

    private void renew() {
        Instant now = clock.instant();
        Set<Integer> taken = leases.renew(now);
        Set<Integer> held = leases.held();
        positions.keySet().retainAll(held);
        toRecover.retainAll(held);
        toRecover.addAll(taken);
        heldPartitions.set(held.size());
        if (!taken.isEmpty()) {
            log.info("applying event log partitions {} (holding {})", taken, held);
        }
        if (landmark.rebaseIfDue(now)) {
            log.info("moved the popularity landmark forward");
        }
        sampleLag();
    }

    /** Finishes what a previous owner (or this one, before a failure) left, and reads where each partition stands. */
    private void recover() {
        if (toRecover.isEmpty()) {
            return;
        }
        List<FeatureWriter.Round> stored = new ArrayList<>();
        for (int p : toRecover) {
            writer.storedRound(p).ifPresent(stored::add);
        }
        writer.finish(stored, clock.instant());
        List<Integer> order = new ArrayList<>(toRecover);
        List<Function<RedisClusterAsyncCommands<String, String>, RedisFuture<String>>> reads = new ArrayList<>();
        order.forEach(p -> reads.add(r -> r.hget(partitions.stateKey(p), "at")));
        List<String> at = redis.callAll(reads);
        for (int i = 0; i < order.size(); i++) {
            positions.put(order.get(i), at.get(i) == null ? "0-0" : at.get(i));
        }
        toRecover.clear();
    }

    /** One round over the held partitions; false when none had anything new. */
    private boolean applyRound() {
        List<Integer> order = new ArrayList<>(positions.keySet());
        if (order.isEmpty()) {
            return false;
        }
        List<Function<RedisClusterAsyncCommands<String, String>, RedisFuture<List<StreamMessage<String, String>>>>>
                reads = new ArrayList<>(order.size());
        for (int p : order) {
            String after = positions.get(p);
            reads.add(r -> r.xrange(
                    partitions.streamKey(p),
                    Range.from(Range.Boundary.excluding(after), Range.Boundary.unbounded()),
                    Limit.from(properties.entriesPerRound())));
        }
        List<List<StreamMessage<String, String>>> read = redis.callAll(reads);
        Map<Integer, List<FeatureWriter.LogEntry>> entries = new LinkedHashMap<>();
        // the traces the entries were appended under, by entry id (only entries of a traced request have one)
        Map<String, String> traceParents = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            List<StreamMessage<String, String>> messages = read.get(i);
            if (messages == null || messages.isEmpty()) {
                continue;
            }
            List<FeatureWriter.LogEntry> partitionEntries = new ArrayList<>(messages.size());
            int events = 0;
            for (StreamMessage<String, String> message : messages) {
                EventLogCodec.Entry entry = decode(message);
                int size = entry instanceof EventLogCodec.LoggedEvents batch
                        ? batch.events().size()
                        : 1;
                if (!partitionEntries.isEmpty() && events + size > properties.eventsPerRound()) {
                    // the rest is read again next round
                    break;
                }
                events += size;
                if (entry instanceof EventLogCodec.Unknown unknown) {
                    skipped.increment();
                    log.warn(
                            "skipping log entry {} of unknown kind {} / schema version {}",
                            message.getId(),
                            unknown.kind(),
                            unknown.version());
                }
                partitionEntries.add(new FeatureWriter.LogEntry(message.getId(), entry));
                String traceParent = message.getBody().get(EventLogCodec.TRACE_PARENT);
                if (traceParent != null) {
                    traceParents.put(message.getId(), traceParent);
                }
            }
            entries.put(order.get(i), partitionEntries);
        }
        if (entries.isEmpty()) {
            return false;
        }
        Instant now = clock.instant();
        long roundLandmark = landmark.current().orElse(now.toEpochMilli());
        List<FeatureWriter.Round> started = new ArrayList<>(entries.size());
        for (FeatureWriter.Started outcome : writer.start(properties.consumerName(), entries, roundLandmark, now)) {
            int p = outcome.partition();
            switch (outcome.status()) {
                case STARTED -> started.add(outcome.round().orElseThrow());
                case NOT_OWNER -> {
                    leases.lost(p);
                    positions.remove(p);
                    log.info("event log partition {} is applied by another replica now", p);
                }
                case UNFINISHED, STALE -> toRecover.add(p);
            }
        }
        writer.finish(started, now);
        if (!traceParents.isEmpty()) {
            Instant done = clock.instant();
            for (FeatureWriter.Round round : started) {
                for (FeatureWriter.LogEntry entry : entries.get(round.partition())) {
                    tracing.record(
                            traceParents.get(entry.streamId()),
                            "apply log entry",
                            now,
                            done,
                            Map.of("partition", Integer.toString(round.partition()), "entry", entry.streamId()));
                }
            }
        }
        long startedEvents = 0;
        long startedItems = 0;
        for (FeatureWriter.Round round : started) {
            positions.put(round.partition(), round.id());
            for (FeatureWriter.LogEntry entry : entries.get(round.partition())) {
                switch (entry.entry()) {
                    case EventLogCodec.LoggedEvents batch ->
                        startedEvents += batch.events().size();
                    case EventLogCodec.LoggedItem item -> startedItems++;
                    case EventLogCodec.Unknown unknown -> {
                        // counted when read
                    }
                }
            }
        }
        rounds.increment();
        appliedEvents.increment((double) startedEvents);
        appliedItems.increment((double) startedItems);
        return true;
    }

    /** Events and catalog entries logged but not applied yet, over all partitions (whoever applies them). */
    private void sampleLag() {
        List<
                        Function<
                                RedisClusterAsyncCommands<String, String>,
                                RedisFuture<List<io.lettuce.core.KeyValue<String, String>>>>>
                reads = new ArrayList<>(partitions.count());
        for (int p = 0; p < partitions.count(); p++) {
            String state = partitions.stateKey(p);
            reads.add(r -> r.hmget(state, "appended", "applied"));
        }
        long behind = 0;
        for (List<io.lettuce.core.KeyValue<String, String>> state : redis.callAll(reads)) {
            behind += number(state.get(0)) - number(state.get(1));
        }
        lag.set(behind);
    }

    private static long number(io.lettuce.core.KeyValue<String, String> value) {
        return value.hasValue() ? Long.parseLong(value.getValue()) : 0;
    }

    // a malformed entry must not block the log forever: it is skipped and counted, like an unknown kind
    private static EventLogCodec.Entry decode(StreamMessage<String, String> message) {
        Map<String, String> fields = message.getBody();
        try {
            return EventLogCodec.decode(fields);
        } catch (RuntimeException e) {
            return new EventLogCodec.Unknown(
                    fields.getOrDefault("kind", "?") + " (malformed: " + e + ")", fields.getOrDefault("v", "?"));
        }
    }

    private void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }
}
