package io.recsys.recommendation.degradation;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.recsys.contracts.recommend.v1.DepthReason;
import io.recsys.contracts.recommend.v1.PredictionDepth;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns load into a prediction depth, in the manner of a product-mixer quality factor: a number between 0 and 1 falls
 * fast when recent latency exceeds the target or requests in flight exceed capacity, rises slowly while both are well
 * below, and maps to a level (FULL above 0.75, REDUCED, MINIMAL, FALLBACK below 0.15).
 *
 * <p>Latency is the 90th percentile of the latest 20 answers, so one slow answer moves nothing.
 *
 * <p>Hysteresis: between the step-down threshold (pressure above 1) and the climbing one (pressure below
 * {@code headroom}) nothing moves. And a level the controller had to leave is not tried again until its probe back-off
 * has passed (a fall within 10 s of entering the level, a failed probe, doubles it, up to 64 times; a fall after
 * holding the level longer, or holding it for a minute, resets it) or the request rate has fallen clearly (below 70 %)
 * under the rate at which it failed. A steady load therefore settles on the richest level it can afford instead of
 * flapping between two, and a real drop in load brings full depth back within seconds.
 *
 * <p>Overload means requests queue. Latency counts only while more than one request is in flight: a caller alone waits
 * on nobody but the platform's own cost, which shedding would not reduce. And during the warm-up ({@code warm-up}, a
 * cold JVM is slow for reasons that say nothing about capacity) only concurrency counts, and falls set no back-off.
 */
public final class DepthController {

    private static final double[] LEVEL_FLOOR = {0.75, 0.45, 0.15}; // FULL, REDUCED, MINIMAL; below: FALLBACK
    private static final int LATENCY_WINDOW =
            20; // the latest answers; their 90th percentile is compared with the target
    private static final int MAX_BACKOFF_DOUBLINGS = 6;
    private static final Duration RESET_BACKOFF_AFTER = Duration.ofMinutes(1);
    private static final Duration PROBE_WINDOW = Duration.ofSeconds(10);

    private final DepthProperties properties;
    private final Clock clock;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<PredictionDepth, Instant> blockedUntil = new EnumMap<>(PredictionDepth.class);
    private final Map<PredictionDepth, Integer> falls = new EnumMap<>(PredictionDepth.class);
    private final Map<PredictionDepth, Double> failedAtRate = new EnumMap<>(PredictionDepth.class);
    private long answeredSinceAdjust;
    private double requestRate;
    private double quality = 1.0;
    private final long[] latencies = new long[LATENCY_WINDOW];
    private int latencyCount;
    private int peakInFlight;
    private Instant lastAdjust;
    private Instant levelSince;
    private final Instant warmUntil;
    private boolean enteredByClimbing;
    private DepthReason loadReason = DepthReason.DEPTH_REASON_HIGH_LATENCY;

    public DepthController(DepthProperties properties, Clock clock, MeterRegistry meters) {
        this.properties = properties;
        this.clock = clock;
        this.lastAdjust = clock.instant();
        this.levelSince = lastAdjust;
        this.warmUntil = lastAdjust.plus(properties.warmUp());
        Gauge.builder("recsys.recommendation.depth.quality", this, DepthController::quality)
                .description("the quality factor: 1 = full depth")
                .register(meters);
        Gauge.builder("recsys.recommendation.in.flight", inFlight, AtomicInteger::get)
                .register(meters);
    }

    /** A request in progress; close it when the request is answered. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    public Permit enter() {
        int now = inFlight.incrementAndGet();
        synchronized (this) {
            peakInFlight = Math.max(peakInFlight, now);
        }
        return inFlight::decrementAndGet;
    }

    /** The level load allows now, with why it is below FULL. */
    public synchronized Decision current() {
        adjustIfDue();
        PredictionDepth level = levelOf(quality);
        return level == PredictionDepth.PREDICTION_DEPTH_FULL
                ? Decision.full()
                : Decision.of(level, loadReason, "load: quality factor " + String.format("%.2f", quality));
    }

    /** Records one answered request's latency. */
    public synchronized void record(Duration latency) {
        latencies[latencyCount++ % LATENCY_WINDOW] = latency.toNanos();
        answeredSinceAdjust++;
        adjustIfDue();
    }

    public synchronized double quality() {
        return quality;
    }

    private void adjustIfDue() {
        Instant now = clock.instant();
        Duration elapsed = Duration.between(lastAdjust, now);
        if (elapsed.compareTo(properties.adjustEvery()) < 0) {
            return;
        }
        lastAdjust = now;
        double rate = answeredSinceAdjust / (elapsed.toNanos() / 1e9);
        answeredSinceAdjust = 0;
        requestRate = requestRate == 0 ? rate : requestRate + 0.3 * (rate - requestRate);
        int concurrent = Math.max(peakInFlight, inFlight.get());
        boolean latencyCounts = concurrent > 1 && !now.isBefore(warmUntil);
        double latencyPressure =
                latencyCounts ? recentLatencyP90() / properties.targetLatency().toNanos() : 0;
        double concurrencyPressure = concurrent / (double) properties.capacity();
        peakInFlight = inFlight.get();
        double pressure = Math.max(latencyPressure, concurrencyPressure);
        PredictionDepth before = levelOf(quality);
        if (pressure > 1) {
            loadReason = latencyPressure >= concurrencyPressure
                    ? DepthReason.DEPTH_REASON_HIGH_LATENCY
                    : DepthReason.DEPTH_REASON_HIGH_CONCURRENCY;
            quality = Math.max(0, quality - properties.stepDown() * Math.min(pressure - 1, 3));
        } else if (pressure < properties.headroom()) {
            double raised = Math.min(1, quality + properties.stepUp());
            PredictionDepth target = levelOf(raised);
            Instant blocked = blockedUntil.get(target);
            boolean loadFell = requestRate < 0.7 * failedAtRate.getOrDefault(target, Double.MAX_VALUE);
            if (target != before && blocked != null && now.isBefore(blocked) && !loadFell) {
                raised = Math.min(
                        raised,
                        floorOf(before) + (floorOfRicher(before) - floorOf(before)) * 0.99); // wait below the threshold
            }
            quality = raised;
        }
        PredictionDepth after = levelOf(quality);
        if (after.getNumber() > before.getNumber() && !now.isBefore(warmUntil)) { // fell: back off from the level left
            // a level that fails soon after being entered was a failed probe: double its back-off; one that held
            // for a while fell to a passing event (a restart, a burst): start again from the base back-off
            // (a level only passed through on the way down was not tried at all: it gets no back-off)
            boolean brief = Duration.between(levelSince, now).compareTo(PROBE_WINDOW) < 0;
            if (!brief || enteredByClimbing) {
                int count = Math.min(
                        brief ? falls.merge(before, 1, Integer::sum) : resetFalls(before), MAX_BACKOFF_DOUBLINGS);
                blockedUntil.put(before, now.plus(properties.probeBackoff().multipliedBy(1L << (count - 1))));
                failedAtRate.put(before, requestRate);
            }
        }
        if (after != before) {
            enteredByClimbing = after.getNumber() < before.getNumber();
        }
        if (after != before) {
            levelSince = now;
        } else if (Duration.between(levelSince, now).compareTo(RESET_BACKOFF_AFTER) >= 0) {
            falls.remove(after);
        }
    }

    // a single slow answer (a GC pause, a cold path) must not lower the depth for everyone: two in twenty must be slow
    private double recentLatencyP90() {
        int n = Math.min(latencyCount, LATENCY_WINDOW);
        if (n == 0) {
            return 0;
        }
        long[] sorted = java.util.Arrays.copyOf(latencies, n);
        java.util.Arrays.sort(sorted);
        return sorted[(int) Math.ceil(0.9 * n) - 1];
    }

    private int resetFalls(PredictionDepth level) {
        falls.put(level, 1);
        return 1;
    }

    static PredictionDepth levelOf(double quality) {
        for (int i = 0; i < LEVEL_FLOOR.length; i++) {
            if (quality >= LEVEL_FLOOR[i]) {
                return PredictionDepth.forNumber(i + 1); // FULL is 1, each level deeper one more
            }
        }
        return PredictionDepth.PREDICTION_DEPTH_FALLBACK;
    }

    private static double floorOf(PredictionDepth level) {
        int i = level.getNumber() - 1;
        return i < LEVEL_FLOOR.length ? LEVEL_FLOOR[i] : 0;
    }

    /** The floor of the next richer level: where climbing from {@code level} would cross. */
    private static double floorOfRicher(PredictionDepth level) {
        int i = level.getNumber() - 2;
        return i >= 0 ? LEVEL_FLOOR[i] : 1;
    }
}
