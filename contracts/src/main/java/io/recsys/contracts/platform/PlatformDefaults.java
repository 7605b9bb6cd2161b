package io.recsys.contracts.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The values services and the python-worker must agree on (log partitions, event weights, co-occurrence counts), read
 * from {@code platform.properties} beside this class, the one place they are stated.
 */
public final class PlatformDefaults {

    private static final String EVENT_WEIGHT = "event-weight.";
    private static final Properties VALUES = load();

    /** How many partitions (Redis Streams) the event log has; see {@code EventLogPartitions}. */
    public static final int EVENT_LOG_PARTITIONS = number("event-log.partitions");

    /** How many of the user's most recent other items an event's item is paired with; also co-occurrence seeds. */
    public static final int COOCCURRENCE_RECENT_ITEMS = number("cooccurrence.recent-items");

    /** Among how many of the user's last events those recent items are looked for. */
    public static final int COOCCURRENCE_LOOK_BACK_EVENTS = number("cooccurrence.look-back-events");

    /**
     * The recent list the models read: the distinct item ids of the user's last this-many events, newest first (each
     * item at its newest occurrence).
     */
    public static final int RECENT_LIST_EVENTS = number("recent-list.events");

    /** Candidates asked of each source at FULL, REDUCED and MINIMAL (the ranker is trained on the FULL mix). */
    public static final CandidateCounts DEPTH_FULL = candidateCounts("depth.full");

    public static final CandidateCounts DEPTH_REDUCED = candidateCounts("depth.reduced");
    public static final CandidateCounts DEPTH_MINIMAL = candidateCounts("depth.minimal");

    /** Items in the recommendation-service's cached popular list (its trending list keeps a fifth as many). */
    public static final int CACHED_POPULAR = number("depth.cached-popular");

    /** Candidates asked of embedding retrieval, co-occurrence and the popular list (trending adds a fifth of it). */
    public record CandidateCounts(int embedding, int cooccurrence, int popular) {}

    /** Co-occurrence neighbours kept per item by the feature-service, and asked for per seed. */
    public static final int NEIGHBOURS_KEPT = number("cooccurrence.neighbours-kept");

    /** Time constants of the decayed popularity windows (last hour, day, week). */
    public static final Duration LAST_HOUR_WINDOW = Duration.ofMillis(longNumber("popularity-window.last-hour-millis"));

    public static final Duration LAST_DAY_WINDOW = Duration.ofMillis(longNumber("popularity-window.last-day-millis"));
    public static final Duration LAST_WEEK_WINDOW = Duration.ofMillis(longNumber("popularity-window.last-week-millis"));

    /** Popularity weight per event type name (view, click, ...), without the custom types' weight. */
    public static final Map<String, Double> EVENT_WEIGHTS = eventWeights();

    /**
     * The MINIMAL level's hand-set weights by signal name ({@code cooccurrence}, {@code item_popularity_7d},
     * {@code item_popularity}), for bundles that carry no learned ones.
     */
    public static final Map<String, Double> CHEAP_SCORES_HAND_SET = prefixed("cheap-scores.hand-set.");

    /** Weight of an event type not in {@link #EVENT_WEIGHTS}. */
    public static final double CUSTOM_EVENT_WEIGHT = Double.parseDouble(text(EVENT_WEIGHT + "custom"));

    private PlatformDefaults() {}

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = PlatformDefaults.class.getResourceAsStream("/io/recsys/contracts/platform.properties")) {
            if (in == null) {
                throw new IllegalStateException("platform.properties is missing from the contracts jar");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    private static String text(String key) {
        String value = VALUES.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("platform.properties lacks " + key);
        }
        return value.strip();
    }

    private static int number(String key) {
        return Integer.parseInt(text(key));
    }

    private static CandidateCounts candidateCounts(String key) {
        String[] parts = text(key).split(",", -1);
        if (parts.length != 3) {
            throw new IllegalStateException(key + " must list three counts: embedding, co-occurrence, popular");
        }
        return new CandidateCounts(
                Integer.parseInt(parts[0].strip()),
                Integer.parseInt(parts[1].strip()),
                Integer.parseInt(parts[2].strip()));
    }

    private static long longNumber(String key) {
        return Long.parseLong(text(key));
    }

    private static Map<String, Double> prefixed(String prefix) {
        Map<String, Double> values = new LinkedHashMap<>();
        VALUES.stringPropertyNames().stream()
                .filter(key -> key.startsWith(prefix))
                .sorted()
                .forEach(key -> values.put(key.substring(prefix.length()), Double.parseDouble(text(key))));
        return Map.copyOf(values);
    }

    private static Map<String, Double> eventWeights() {
        Map<String, Double> weights = new LinkedHashMap<>();
        VALUES.stringPropertyNames().stream()
                .filter(key -> key.startsWith(EVENT_WEIGHT) && !key.equals(EVENT_WEIGHT + "custom"))
                .sorted()
                .forEach(key -> weights.put(key.substring(EVENT_WEIGHT.length()), Double.parseDouble(text(key))));
        return Map.copyOf(weights);
    }
}
