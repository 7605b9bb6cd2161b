package io.recsys.recommendation.features;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.recsys.contracts.platform.PlatformDefaults;
import io.recsys.recommendation.features.FeatureStore.ItemSignals;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Every item's signals (popularity windows, price, availability, category) in this service's memory, so that a request
 * reads only the shopper's own state from the feature-service. Loaded whole at start, then kept fresh by polling the
 * feature-service's change feed ({@code GetChangedItems}); how fresh is stated in {@link ItemSignalsProperties} and
 * exported as {@code recsys.recommendation.item.signals.staleness}. Until the first load completes, callers read item
 * signals remotely ({@link #loaded(List)} is empty). Nothing here is the only copy: a restart loads it again.
 */
@Component
public class ItemSignalsCache implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ItemSignalsCache.class);

    private record Cached(ItemSignals signals, long asOfMillis) {}

    private final FeatureStore features;
    private final ItemSignalsProperties properties;
    private final Clock clock;
    private final Map<String, Cached> items = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService poller;
    private volatile boolean loaded;
    private volatile long nextSinceMillis;
    private volatile long freshAsOfMillis;

    public ItemSignalsCache(
            FeatureStore features, ItemSignalsProperties properties, Clock clock, MeterRegistry meters) {
        this.features = features;
        this.properties = properties;
        this.clock = clock;
        Gauge.builder("recsys.recommendation.item.signals.items", items, Map::size)
                .description("items whose signals are held in memory")
                .register(meters);
        Gauge.builder(
                        "recsys.recommendation.item.signals.staleness",
                        this,
                        cache -> cache.loaded ? (clock.millis() - cache.freshAsOfMillis) / 1000.0 : Double.NaN)
                .description("seconds since the last poll of the change feed that completed")
                .baseUnit("seconds")
                .register(meters);
    }

    /** The signals of these items as far as they are known, or empty before the first load has completed. */
    public Optional<Map<String, ItemSignals>> loaded(List<String> itemIds) {
        if (!loaded) {
            return Optional.empty();
        }
        Map<String, ItemSignals> found = HashMap.newHashMap(itemIds.size());
        for (String id : itemIds) {
            Cached cached = items.get(id);
            if (cached != null) {
                found.put(id, cached.signals());
            }
        }
        return Optional.of(found);
    }

    /**
     * One pass over the change feed: every page since a little before the last pass ended. Public for tests, which
     * drive it instead of waiting for the schedule.
     */
    public void poll() {
        long started = clock.millis();
        long since = loaded ? Math.max(0, nextSinceMillis - properties.overlap().toMillis()) : 0;
        long passReadAt = 0;
        FeatureStore.ChangedItems page;
        do {
            page = features.changedItems(since, properties.pageSize(), properties.timeout());
            long readAt = page.readAtMillis();
            passReadAt = passReadAt == 0 ? readAt : passReadAt;
            page.items().forEach(signals -> items.put(signals.itemId(), new Cached(signals, readAt)));
            since = page.nextSinceMillis();
        } while (page.more());
        // everything stamped before the pass began reading has been seen (up to the overlap's allowance for clocks
        // and late commits): the next pass starts there, not at the last change, so a quiet store is not re-read
        nextSinceMillis = Math.max(nextSinceMillis, Math.max(since, passReadAt));
        reage(started);
        freshAsOfMillis = started;
        loaded = true;
    }

    /** Decayed popularity keeps decaying while nothing happens to an item: old copies are aged to now. */
    private void reage(long nowMillis) {
        long oldest = nowMillis - properties.reage().toMillis();
        items.replaceAll((id, cached) -> cached.asOfMillis() >= oldest
                ? cached
                : new Cached(aged(cached.signals(), nowMillis - cached.asOfMillis()), nowMillis));
    }

    static ItemSignals aged(ItemSignals signals, long elapsedMillis) {
        return new ItemSignals(
                signals.itemId(),
                signals.popularity(),
                signals.lastWeek() * decay(PlatformDefaults.LAST_WEEK_WINDOW.toMillis(), elapsedMillis),
                signals.lastDay() * decay(PlatformDefaults.LAST_DAY_WINDOW.toMillis(), elapsedMillis),
                signals.price(),
                signals.available(),
                signals.category(),
                signals.attributes());
    }

    private static double decay(long tauMillis, long elapsedMillis) {
        return Math.exp(-(double) elapsedMillis / tauMillis);
    }

    private void pollQuietly() {
        try {
            poll();
        } catch (RuntimeException e) {
            // the copy stays as it was; requests read it, or read remotely before the first load
            log.debug("item signals not refreshed: {}", e.toString());
        }
    }

    @Override
    public void start() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("item-signals").daemon().factory());
        var unused = executor.scheduleWithFixedDelay(
                this::pollQuietly, 0, properties.refresh().toMillis(), TimeUnit.MILLISECONDS);
        poller = executor;
    }

    @Override
    public void stop() {
        ScheduledExecutorService executor = poller;
        if (executor != null) {
            executor.shutdownNow();
            poller = null;
        }
    }

    @Override
    public boolean isRunning() {
        return poller != null;
    }
}
