package io.recsys.testsupport;

import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Typed configuration built the way a service binds it: each unset value takes its declared default
 * ({@code @DefaultValue} or the record's own), so tests never restate defaults.
 */
public final class Configured {

    private Configured() {}

    /**
     * The properties record under {@code prefix} with only {@code values} set (relaxed names, e.g. "target-latency").
     */
    public static <T> T bind(String prefix, Class<T> type, Map<String, String> values) {
        MapConfigurationPropertySource source = new MapConfigurationPropertySource();
        values.forEach((key, value) -> source.put(prefix + "." + key, value));
        return new Binder(source).bindOrCreate(prefix, type);
    }

    /** The properties record under {@code prefix} with every value at its default. */
    public static <T> T defaults(String prefix, Class<T> type) {
        return bind(prefix, type, Map.of());
    }
}
