package io.recsys.benchmarks;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --key=value} options with defaults. */
record BenchOptions(Map<String, String> values) {

    static BenchOptions parse(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("options look like --key=value, got " + arg);
            }
            String[] kv = arg.substring(2).split("=", 2);
            values.put(kv[0], kv[1]);
        }
        return new BenchOptions(Map.copyOf(values));
    }

    int intValue(String key, int fallback) {
        return values.containsKey(key) ? Integer.parseInt(values.get(key)) : fallback;
    }

    List<Integer> intList(String key, List<Integer> fallback) {
        return values.containsKey(key)
                ? Arrays.stream(values.get(key).split(","))
                        .map(String::trim)
                        .map(Integer::parseInt)
                        .toList()
                : fallback;
    }
}
