package io.recsys.features.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.recsys.servicekit.redis.RedisLink;

/**
 * Keeps the decayed popularity scores' landmark recent (see {@code features/rebase-popularity.lua}):
 * once it is more than a day old, scores are rescaled and the landmark moves to now. A day keeps the
 * largest exponent (one-hour window) around 24, far from overflow.
 */
@Component
public class PopularityLandmark {

    static final Duration MAX_AGE = Duration.ofDays(1);

    private final RedisLink redis;
    private final String script;

    public PopularityLandmark(RedisLink redis) {
        this.redis = redis;
        try {
            this.script = new ClassPathResource("features/rebase-popularity.lua").getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The landmark (epoch ms), or empty when no event has been applied yet. */
    public java.util.OptionalLong current() {
        String value = redis.call(commands -> commands.get(FeatureKeys.POPULARITY_LANDMARK));
        return value == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(Long.parseLong(value));
    }

    /** Moves the landmark to {@code now} when it is older than a day; true when this call moved it. */
    public boolean rebaseIfDue(Instant now) {
        java.util.OptionalLong landmark = current();
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
        Long moved = redis.run(RedisLink.async(new Command<>(CommandType.EVAL, new IntegerOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add(script).add(keys.size()).addKeys(keys).addValues(args))));
        return moved != null && moved == 1;
    }
}
