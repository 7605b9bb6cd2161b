package io.recsys.features.store;

import io.recsys.servicekit.redis.LuaScript;
import io.recsys.servicekit.redis.RedisLink;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.springframework.stereotype.Component;

/**
 * Keeps the decayed popularity scores' landmark recent (see {@code features/rebase-popularity.lua}): once it is more
 * than a day old, scores are rescaled and the landmark moves to now. A day keeps the largest exponent (one-hour window)
 * around 24, far from overflow.
 */
@Component
public class PopularityLandmark {

    static final Duration MAX_AGE = Duration.ofDays(1);

    private static final LuaScript REBASE = LuaScript.fromClasspath("features/rebase-popularity.lua");

    private final RedisLink redis;

    public PopularityLandmark(RedisLink redis) {
        this.redis = redis;
    }

    /** The landmark (epoch ms), or empty when no event has been applied yet. */
    public OptionalLong current() {
        String value = redis.call(commands -> commands.get(FeatureKeys.POPULARITY_LANDMARK));
        return value == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value));
    }

    /** Moves the landmark to {@code now} when it is older than a day; true when this call moved it. */
    public boolean rebaseIfDue(Instant now) {
        OptionalLong landmark = current();
        if (landmark.isEmpty() || now.toEpochMilli() - landmark.getAsLong() < MAX_AGE.toMillis()) {
            return false;
        }
        List<String> keys = new ArrayList<>();
        keys.add(FeatureKeys.POPULARITY_LANDMARK);
        DecayWindow.IN_SCRIPT_ORDER.forEach(window -> keys.add(FeatureKeys.popular(window)));
        List<String> args = new ArrayList<>();
        args.add(Long.toString(landmark.getAsLong()));
        args.add(Long.toString(now.toEpochMilli()));
        DecayWindow.IN_SCRIPT_ORDER.forEach(window -> args.add(Long.toString(window.tauMillis())));
        Long moved = redis.evalForLong(REBASE, keys, args);
        return moved != null && moved == 1;
    }
}
