package io.recsys.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The figures of one benchmark run: printed as they come, written as JSON with the hardware at the end. */
final class BenchmarkReport {

    private final String name;
    private final Map<String, Object> figures = new LinkedHashMap<>();

    BenchmarkReport(String name, Map<String, Object> setup) {
        this.name = name;
        figures.put("benchmark", name);
        figures.put("started_at", Instant.now().toString());
        figures.put("hardware", hardware());
        figures.put("setup", setup);
        System.out.println("== " + name + " benchmark ==");
        System.out.println("hardware: " + figures.get("hardware"));
        System.out.println("setup: " + setup);
    }

    void add(String key, Map<String, Object> values) {
        figures.put(key, values);
        System.out.println(key + ": " + values);
    }

    static Map<String, Object> latency(Histogram histogram) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("count", histogram.getTotalCount());
        values.put("p50_ms", micros(histogram.getValueAtPercentile(50)));
        values.put("p90_ms", micros(histogram.getValueAtPercentile(90)));
        values.put("p99_ms", micros(histogram.getValueAtPercentile(99)));
        values.put("p99_9_ms", micros(histogram.getValueAtPercentile(99.9)));
        values.put("max_ms", micros(histogram.getMaxValue()));
        return values;
    }

    private static double micros(long valueMicros) {
        return Math.round(valueMicros / 10.0) / 100.0;
    }

    Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(ZoneOffset.UTC)
                .format(Instant.now());
        Path file = dir.resolve(name + "-" + stamp + ".json");
        JsonMapper json =
                JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        Files.writeString(file, json.writeValueAsString(figures));
        return file;
    }

    private static Map<String, Object> hardware() {
        Map<String, Object> hardware = new LinkedHashMap<>();
        hardware.put("cores", Runtime.getRuntime().availableProcessors());
        hardware.put("cpu", cpuModel());
        hardware.put(
                "memory_gb",
                Math.round(((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                                .getTotalMemorySize()
                        / 1e9));
        hardware.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        hardware.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        return hardware;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
