package io.recsys.gateway.api;

import java.util.Locale;

/** How protobuf values appear in public JSON: enum names without their prefix, lower case; absent text empty. */
final class PublicNames {

    private PublicNames() {}

    /** {@code PREDICTION_DEPTH_FULL} with prefix {@code PREDICTION_DEPTH_} becomes {@code full}. */
    static String of(Enum<?> value, String prefix) {
        String name = value.name();
        return (name.startsWith(prefix) ? name.substring(prefix.length()) : name).toLowerCase(Locale.ROOT);
    }

    /** JSON may leave a field out; protobuf strings cannot be null. */
    static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
