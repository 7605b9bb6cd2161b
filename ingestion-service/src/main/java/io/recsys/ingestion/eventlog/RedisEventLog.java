package io.recsys.ingestion.eventlog;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.contracts.events.v1.Event;
import io.recsys.servicekit.eventlog.EventLogProperties;
import io.recsys.servicekit.redis.LuaScript;
import io.recsys.servicekit.redis.RedisLink;
import io.recsys.servicekit.tracing.LogTracing;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The durable event log: one Redis Stream per partition ({@link EventLogPartitions}). A batch becomes one entry per
 * partition it touches (several when a partition's share exceeds {@code max-events-per-entry}), each appended by one
 * atomic script; all of them are sent in one write, and the call returns only after Redis has applied every one (and,
 * with {@code recsys.redis.replica-acks}, its replicas have them), so what the caller acknowledges is in the log.
 *
 * <p>De-duplication: the ids appended in each window of {@code dedupWindow} (counted from the epoch) are one set per
 * partition; an id is a duplicate when it is in this window's set or the previous one's, so it is remembered for at
 * least one window and at most two. A user's events all go to one partition, so a retried event meets its first copy.
 */
@Component
public class RedisEventLog {

    private static final LuaScript APPEND_EVENTS = LuaScript.fromClasspath("eventlog/append-events.lua");

    private final RedisLink link;
    private final EventLogPartitions partitions;
    private final EventLogProperties properties;
    private final Clock clock;
    private final LogTracing tracing;

    public RedisEventLog(
            RedisLink link,
            EventLogPartitions partitions,
            EventLogProperties properties,
            Clock clock,
            LogTracing tracing) {
        this.link = link;
        this.partitions = partitions;
        this.properties = properties;
        this.clock = clock;
        this.tracing = tracing;
    }

    /** Appends the events not seen within {@code dedupWindow}; per event, in order: true when it was a duplicate. */
    public boolean[] appendEvents(List<Event> events, Duration dedupWindow) {
        boolean[] duplicate = new boolean[events.size()];
        if (events.isEmpty()) {
            return duplicate;
        }
        Instant now = clock.instant();
        long windowMillis = dedupWindow.toMillis();
        long window = now.toEpochMilli() / windowMillis;
        // this window's set is needed until the next window ends
        long keepSeconds = ((window + 2) * windowMillis - now.toEpochMilli()) / 1000 + 1;
        List<List<Integer>> positions = new ArrayList<>(partitions.count());
        for (int p = 0; p < partitions.count(); p++) {
            positions.add(new ArrayList<>());
        }
        for (int i = 0; i < events.size(); i++) {
            positions.get(partitions.ofUser(events.get(i).getUserId())).add(i);
        }
        // per partition, entries of at most max-events-per-entry events, appended in order
        List<List<Integer>> sent = new ArrayList<>();
        List<AsyncCommand<String, String, String>> scripts = new ArrayList<>();
        for (int p = 0; p < partitions.count(); p++) {
            List<Integer> all = positions.get(p);
            List<String> keys = List.of(
                    partitions.streamKey(p),
                    partitions.seenKey(p, window),
                    partitions.seenKey(p, window - 1),
                    partitions.stateKey(p));
            for (int from = 0; from < all.size(); from += properties.maxEventsPerEntry()) {
                List<Integer> mine = all.subList(from, Math.min(from + properties.maxEventsPerEntry(), all.size()));
                sent.add(mine);
                scripts.add(RedisLink.eval(
                        APPEND_EVENTS,
                        keys,
                        appendArguments(events, mine, now, keepSeconds),
                        new ValueOutput<>(StringCodec.UTF8)));
            }
        }
        link.run(scripts);
        awaitReplicas(positions);
        for (int s = 0; s < scripts.size(); s++) {
            List<Integer> mine = sent.get(s);
            String flags = answer(scripts.get(s));
            if (flags.length() != mine.size()) {
                throw new IllegalStateException(
                        "event log answered " + flags.length() + " results for " + mine.size() + " events");
            }
            for (int k = 0; k < mine.size(); k++) {
                duplicate[mine.get(k)] = flags.charAt(k) == '0';
            }
        }
        return duplicate;
    }

    /** Acknowledged means on the replicas too, when they are asked for (recsys.redis.replica-acks). */
    private void awaitReplicas(List<List<Integer>> positions) {
        link.awaitReplicas(() -> {
            List<String> touched = new ArrayList<>();
            for (int p = 0; p < positions.size(); p++) {
                if (!positions.get(p).isEmpty()) {
                    touched.add(partitions.streamKey(p));
                }
            }
            return touched;
        });
    }

    private List<String> appendArguments(List<Event> events, List<Integer> mine, Instant now, long keepSeconds) {
        List<String> args = new ArrayList<>(6 + mine.size());
        args.add(Long.toString(properties.maxEntries()));
        args.add(Long.toString(keepSeconds));
        args.add(Long.toString(now.toEpochMilli()));
        // the lines go joined, as the entry will hold them; their lengths let the script drop a duplicate's line
        StringBuilder data = new StringBuilder(mine.size() * 128);
        StringBuilder lengths = new StringBuilder(mine.size() * 4);
        for (int i : mine) {
            String line = EventLogCodec.record(events.get(i), now);
            if (!data.isEmpty()) {
                data.append('\n');
                lengths.append(',');
            }
            data.append(line);
            lengths.append(utf8Length(line));
        }
        args.add(data.toString());
        args.add(lengths.toString());
        args.add(tracing.currentTraceParent());
        for (int i : mine) {
            args.add(events.get(i).getEventId());
        }
        return args;
    }

    /** The length of {@code text} in UTF-8 bytes, which is what the script counts in. */
    static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static String answer(AsyncCommand<String, String, String> script) {
        String reply = script.getOutput().get();
        return reply == null ? "" : reply;
    }

    /**
     * Appends catalog upserts, each to the partition its item id hashes to; the feature-service applies them in log
     * order with the events.
     */
    public void appendItems(List<Item> items) {
        if (items.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        List<AsyncCommand<String, String, ?>> commands = new ArrayList<>(items.size() * 2);
        Set<String> streams = new LinkedHashSet<>();
        String traceParent = tracing.currentTraceParent();
        for (Item item : items) {
            int p = partitions.ofUser(item.getItemId());
            streams.add(partitions.streamKey(p));
            CommandArgs<String, String> add = new CommandArgs<>(StringCodec.UTF8)
                    .addKey(partitions.streamKey(p))
                    .add("MAXLEN")
                    .add("~")
                    .add(properties.maxEntries())
                    .add("*");
            for (Map.Entry<String, String> field :
                    EventLogCodec.encode(item, now).entrySet()) {
                add.add(field.getKey()).add(field.getValue());
            }
            if (!traceParent.isEmpty()) {
                add.add(EventLogCodec.TRACE_PARENT).add(traceParent);
            }
            commands.add(RedisLink.async(new Command<>(CommandType.XADD, new StatusOutput<>(StringCodec.UTF8), add)));
            commands.add(RedisLink.async(new Command<>(
                    CommandType.HINCRBY,
                    new IntegerOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8)
                            .addKey(partitions.stateKey(p))
                            .add("appended")
                            .add(1))));
        }
        link.run(commands);
        link.awaitReplicas(() -> streams);
    }
}
