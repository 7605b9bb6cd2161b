package io.recsys.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleUnaryOperator;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Open-loop load through the gateway: requests leave on a schedule (the rate may change over time), whatever the
 * answers do, and latency counts from when each request was due, so that a stalled service shows as latency instead of
 * as fewer requests. Figures are kept per second.
 */
final class OpenLoad {

    static final String[] DEPTHS = {"full", "reduced", "minimal", "fallback"};

    /** One second of the run. */
    static final class Second {
        final AtomicLong offered = new AtomicLong();
        final AtomicLong served = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(30), 2);
        final Map<String, AtomicLong> depths = new ConcurrentHashMap<>();

        Map<String, Object> summary(int second) {
            Map<String, Object> values = new LinkedHashMap<>();
            values.put("second", second);
            values.put("offered", offered.get());
            values.put("served", served.get());
            values.put("errors", errors.get());
            values.put("p50_ms", latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(50) / 1000.0);
            values.put("p99_ms", latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(99) / 1000.0);
            for (String depth : DEPTHS) {
                values.put(depth, depths.getOrDefault(depth, new AtomicLong()).get());
            }
            return values;
        }
    }

    /**
     * @param errorsByKind failed requests by what the client saw: {@code http_<status>}, or the exception's simple
     *     class name (a timeout of the client's own 5 s, a refused connection)
     */
    record Result(List<Second> seconds, Histogram overall, long errors, Map<String, Long> errorsByKind) {}

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .executor(Executors.newFixedThreadPool(2))
            .build();
    private final URI gateway;
    private final int users;

    OpenLoad(URI gateway, int users) {
        this.gateway = gateway;
        this.users = users;
    }

    /**
     * @param rate requests per second at {@code t} seconds from the start
     * @param onSecond called at the start of each second (to inject faults)
     */
    Result run(int seconds, DoubleUnaryOperator rate, java.util.function.IntConsumer onSecond)
            throws InterruptedException {
        List<Second> perSecond = new ArrayList<>();
        for (int i = 0; i < seconds + 5; i++) {
            perSecond.add(new Second());
        }
        Histogram overall = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(30), 2);
        AtomicLong errors = new AtomicLong();
        Map<String, AtomicLong> errorsByKind = new ConcurrentHashMap<>();
        Random random = new Random(3);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long due = start;
        int announced = -1;
        while (due < end) {
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int second = (int) ((due - start) / 1_000_000_000L);
            if (second != announced) {
                announced = second;
                onSecond.accept(second);
            }
            Second bucket = perSecond.get(second);
            bucket.offered.incrementAndGet();
            long intended = due;
            String user = String.format("user-%05d", 1 + random.nextInt(users));
            HttpRequest request = HttpRequest.newBuilder(
                            gateway.resolve("/api/v1/users/" + user + "/recommendations?limit=10"))
                    .timeout(Duration.ofSeconds(5))
                    .build();
            var unused = http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> {
                        long micros = Math.max(1, (System.nanoTime() - intended) / 1_000);
                        if (error != null || response.statusCode() != 200) {
                            bucket.errors.incrementAndGet();
                            errors.incrementAndGet();
                            String kind = error != null
                                    ? rootCause(error).getClass().getSimpleName()
                                    : "http_" + response.statusCode();
                            errorsByKind
                                    .computeIfAbsent(kind, k -> new AtomicLong())
                                    .incrementAndGet();
                            return;
                        }
                        bucket.served.incrementAndGet();
                        bucket.latency.recordValue(Math.min(micros, TimeUnit.SECONDS.toMicros(30)));
                        overall.recordValue(Math.min(micros, TimeUnit.SECONDS.toMicros(30)));
                        bucket.depths
                                .computeIfAbsent(
                                        response.headers()
                                                .firstValue("X-Prediction-Depth")
                                                .orElse("unknown"),
                                        d -> new AtomicLong())
                                .incrementAndGet();
                    });
            due += (long) (1e9 / Math.max(1, rate.applyAsDouble((due - start) / 1e9)));
        }
        Thread.sleep(5_000); // the last answers
        Map<String, Long> kinds = new java.util.TreeMap<>();
        errorsByKind.forEach((kind, count) -> kinds.put(kind, count.get()));
        return new Result(perSecond.subList(0, seconds), overall, errors.get(), kinds);
    }

    private static Throwable rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
