package io.recsys.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.recsys.localstack.LocalStack;
import io.recsys.localstack.StackConfig;
import io.recsys.localstack.StackPorts;
import io.recsys.localstack.StackRedis;
import io.recsys.localstack.demo.DemoDataSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * What tracing costs: the whole platform's recommendation throughput through the gateway (closed loop, several callers)
 * with tracing off and with tracing on (every request traced and exported over OTLP to a receiver in this process that
 * takes and discards the spans).
 *
 * <p>Both stacks run side by side, are warmed up the same way, and are measured in alternating windows (off, on, on,
 * off, ...): on this shared machine, measuring one stack after the other compared two different moments (a first
 * version did, and found tracing 34 % faster). Both are held at FULL depth (the depth controller's latency target out
 * of reach): the goal is the cost of tracing the same work, and a stack that sheds depth answers faster for a reason
 * that is not tracing.
 */
final class TracingBenchmark {

    /** The depth controller steps down only above its latency target or capacity; 8 callers never reach 32. */
    private static final String HOLD_FULL_DEPTH = "--recsys.recommendation.depth.target-latency=1h";

    private static final int STEADY_WINDOWS = 3;
    private static final double STEADY_SPREAD = 1.1;

    private final Path root;
    private final int callers;
    private final int rounds;
    private final int windowSeconds;
    private final int maxWarmUpSeconds;
    /** The share of requests traced, as {@code management.tracing.sampling.probability}; the platform's is 1.0. */
    private final String sampling;

    TracingBenchmark(Path root, BenchOptions options) {
        this.root = root;
        this.callers = options.intValue("callers", 8);
        this.rounds = options.intValue("rounds", 6);
        this.windowSeconds = options.intValue("window-seconds", 10);
        this.maxWarmUpSeconds = options.intValue("max-warm-up-seconds", 600);
        this.sampling = options.values().getOrDefault("sampling", "1.0");
    }

    BenchmarkReport run() throws Exception {
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("demo_data", DemoDataSpec.standard().toString());
        setup.put("client", "this process, closed loop: " + callers + " callers, each asking again at once");
        setup.put(
                "warm_up",
                "alternating " + windowSeconds + " s windows until each stack's last " + STEADY_WINDOWS
                        + " are within " + Math.round(100 * (STEADY_SPREAD - 1)) + " % of each other, at most "
                        + maxWarmUpSeconds + " s");
        setup.put("measured", rounds + " rounds of a " + windowSeconds + " s window per stack, alternating");
        setup.put("sampling", sampling);
        setup.put("service_jvm", Benchmarks.serviceJvm());
        setup.put("depth", "held at FULL: " + HOLD_FULL_DEPTH);
        BenchmarkReport report = new BenchmarkReport("tracing", setup);
        AtomicLong exportBytes = new AtomicLong();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/v1/traces", exchange -> {
            exportBytes.addAndGet(exchange.getRequestBody().readAllBytes().length);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        List<String> tracing = List.of(
                "--recsys.tracing.enabled=true",
                "--management.tracing.sampling.probability=" + sampling,
                "--management.opentelemetry.tracing.export.otlp.endpoint=http://127.0.0.1:"
                        + receiver.getAddress().getPort() + "/v1/traces");
        try (LocalStack off = start("off", List.of());
                LocalStack on = start("on", tracing)) {
            int users = DemoDataSpec.standard().users();
            report.add("warm_up", warmUp(off, on, users));
            Windows offWindows = new Windows();
            Windows onWindows = new Windows();
            long bytesBefore = exportBytes.get();
            for (int round = 0; round < rounds; round++) {
                boolean offFirst = round % 2 == 0;
                for (boolean measureOff : offFirst ? new boolean[] {true, false} : new boolean[] {false, true}) {
                    LocalStack stack = measureOff ? off : on;
                    (measureOff ? offWindows : onWindows)
                            .add(RecommendationBenchmark.closedLoop(
                                    stack.gatewayUrl(), users, callers, windowSeconds, ""));
                }
            }
            Map<String, Object> offFigures = offWindows.figures();
            Map<String, Object> onFigures = onWindows.figures();
            onFigures.put("otlp_bytes_received", exportBytes.get() - bytesBefore);
            report.add("tracing_off", offFigures);
            report.add("tracing_on", onFigures);
            double offRate = offWindows.rate();
            double onRate = onWindows.rate();
            Map<String, Object> cost = new LinkedHashMap<>();
            double lost = offRate == 0 ? 0 : 100.0 * (offRate - onRate) / offRate;
            cost.put("throughput_lost_percent", Math.round(lost * 10) / 10.0);
            cost.put("goal_at_most_5_percent", lost <= 5);
            cost.put("both_at_full", offWindows.allFull() && onWindows.allFull());
            report.add("tracing_cost", cost);
        } finally {
            receiver.stop(0);
        }
        return report;
    }

    /**
     * Ten JVMs compiling their hot paths on two cores take minutes to reach a steady rate (a fixed 90 s warm-up left
     * the rate still doubling across the measured windows): both stacks are driven in turn until each one's rate has
     * settled.
     */
    private Map<String, Object> warmUp(LocalStack off, LocalStack on, int users) throws Exception {
        List<Long> offRates = new ArrayList<>();
        List<Long> onRates = new ArrayList<>();
        long started = System.nanoTime();
        while (!(isSteady(offRates) && isSteady(onRates))
                && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(maxWarmUpSeconds)) {
            offRates.add(rate(off, users));
            onRates.add(rate(on, users));
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("seconds", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        figures.put("steady", isSteady(offRates) && isSteady(onRates));
        figures.put("off_requests_per_second", offRates);
        figures.put("on_requests_per_second", onRates);
        return figures;
    }

    private long rate(LocalStack stack, int users) throws Exception {
        return ((Number) RecommendationBenchmark.closedLoop(stack.gatewayUrl(), users, callers, windowSeconds, "")
                        .get("requests_per_second"))
                .longValue();
    }

    private static boolean isSteady(List<Long> rates) {
        if (rates.size() < STEADY_WINDOWS) {
            return false;
        }
        List<Long> last = rates.subList(rates.size() - STEADY_WINDOWS, rates.size());
        long min = last.stream().mapToLong(Long::longValue).min().orElseThrow();
        long max = last.stream().mapToLong(Long::longValue).max().orElseThrow();
        return min > 0 && max <= STEADY_SPREAD * min;
    }

    /** One stack's measuring windows, added up. */
    private final class Windows {
        private final List<Long> rates = new ArrayList<>();
        private final List<Double> p99s = new ArrayList<>();
        private long served;
        private long errors;
        private boolean allFull = true;

        void add(Map<String, Object> window) {
            long rate = ((Number) window.get("requests_per_second")).longValue();
            rates.add(rate);
            p99s.add(((Number) window.get("p99_ms")).doubleValue());
            served += ((Number) window.get("count")).longValue();
            errors += ((Number) window.get("errors")).longValue();
            allFull &= ((Number) window.get("share_full")).doubleValue() == 1.0;
        }

        double rate() {
            return served / (double) (windowSeconds * rates.size());
        }

        boolean allFull() {
            return allFull;
        }

        Map<String, Object> figures() {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("requests_per_second", Math.round(rate()));
            figures.put("per_window_requests_per_second", rates);
            figures.put("per_window_p99_ms", p99s);
            figures.put("share_full", allFull ? 1.0 : "below 1 in some window");
            figures.put("errors", errors);
            figures.put("callers", callers);
            return figures;
        }
    }

    private LocalStack start(String name, List<String> tracing) throws Exception {
        List<String> recommendation = new ArrayList<>(tracing);
        recommendation.add(HOLD_FULL_DEPTH);
        Map<String, List<String>> arguments = StackConfig.ALL_SERVICES.stream()
                .collect(Collectors.toMap(
                        service -> service,
                        service -> service.equals("recommendation-service") ? recommendation : tracing));
        StackConfig config = new StackConfig(
                root,
                StackPorts.free(),
                new StackRedis.Embedded(),
                Optional.of(DemoDataSpec.standard()),
                root.resolve("benchmarks/target/bench-stack-tracing-" + name),
                Benchmarks.serviceJvm(),
                StackConfig.ALL_SERVICES,
                arguments);
        return LocalStack.start(config, System.out::println);
    }
}
