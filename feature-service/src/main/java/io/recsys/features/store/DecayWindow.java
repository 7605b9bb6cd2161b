package io.recsys.features.store;

import io.recsys.contracts.platform.PlatformDefaults;
import java.time.Duration;
import java.util.List;

/**
 * A popularity window: exponential decay with time constant {@code tau}, so that an event's weight counts fully now,
 * about a third after one {@code tau}, and fades out after a few.
 */
public enum DecayWindow {
    LAST_HOUR("1h", PlatformDefaults.LAST_HOUR_WINDOW),
    LAST_DAY("24h", PlatformDefaults.LAST_DAY_WINDOW),
    LAST_WEEK("7d", PlatformDefaults.LAST_WEEK_WINDOW);

    /** The order the apply and rebase scripts expect. */
    static final List<DecayWindow> IN_SCRIPT_ORDER = List.of(LAST_HOUR, LAST_DAY, LAST_WEEK);

    private final String suffix;
    private final Duration tau;

    DecayWindow(String suffix, Duration tau) {
        this.suffix = suffix;
        this.tau = tau;
    }

    String suffix() {
        return suffix;
    }

    String itemField() {
        return "d:" + suffix;
    }

    long tauMillis() {
        return tau.toMillis();
    }

    /** A score stored relative to {@code landmarkMillis}, as seen at {@code nowMillis}. */
    double valueAt(double stored, long landmarkMillis, long nowMillis) {
        return stored * Math.exp((double) (landmarkMillis - nowMillis) / tau.toMillis());
    }

    /**
     * What an event at {@code occurredMillis} adds per unit of weight, relative to {@code landmarkMillis}: forward
     * decay, exp((t - L) / tau); the exponent is capped far below overflow (the landmark moves long before, see
     * {@link PopularityLandmark}).
     */
    double growth(long occurredMillis, long landmarkMillis) {
        return Math.exp(Math.min((double) (occurredMillis - landmarkMillis) / tau.toMillis(), 600));
    }

    /** Events per millisecond that a decayed score stands for, to compare windows of different lengths. */
    double rate(double value) {
        return value / tau.toMillis();
    }
}
