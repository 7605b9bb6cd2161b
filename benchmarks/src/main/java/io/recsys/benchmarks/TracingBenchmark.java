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
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * What tracing costs: the whole platform's recommendation throughput through the gateway (closed loop, several callers)
 * with tracing off, then on (every request traced and exported over OTLP to a receiver in this process that takes and
 * discards the spans), each on a fresh stack warmed up the same way.
 *
 * <p>Both stacks are held at FULL depth (the depth controller's latency target out of reach): the goal is the cost of
 * tracing the same work, and a stack that sheds depth under the closed loop answers faster for a reason that is not
 * tracing (a first run with the controller on compared FULL answers with tracing off against REDUCED ones with tracing
 * on, and found tracing "free").
 */
final class TracingBenchmark {

    /** The depth controller steps down only above its latency target or capacity; 8 callers never reach 32. */
    private static final String HOLD_FULL_DEPTH = "--recsys.recommendation.depth.target-latency=1h";

    private final Path root;
    private final int callers;
    private final int seconds;
    private final int warmUpSeconds;
    /** The share of requests traced, as {@code management.tracing.sampling.probability}; the platform's is 1.0. */
    private final String sampling;

    TracingBenchmark(Path root, BenchOptions options) {
        this.root = root;
        this.callers = options.intValue("callers", 8);
        this.seconds = options.intValue("seconds", 20);
        this.warmUpSeconds = options.intValue("warm-up-seconds", 90);
        this.sampling = options.values().getOrDefault("sampling", "1.0");
    }

    BenchmarkReport run() throws Exception {
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("demo_data", DemoDataSpec.standard().toString());
        setup.put("client", "this process, closed loop: " + callers + " callers, each asking again at once");
        setup.put("warm_up_seconds", warmUpSeconds);
        setup.put("seconds", seconds);
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
        try {
            Map<String, Object> off = measure(List.of());
            report.add("tracing_off", off);
            long before = exportBytes.get();
            Map<String, Object> on = measure(List.of(
                    "--recsys.tracing.enabled=true",
                    "--management.tracing.sampling.probability=" + sampling,
                    "--management.opentelemetry.tracing.export.otlp.endpoint=http://127.0.0.1:"
                            + receiver.getAddress().getPort() + "/v1/traces"));
            on.put("otlp_bytes_received", exportBytes.get() - before);
            report.add("tracing_on", on);
            double offRate = ((Number) off.get("requests_per_second")).doubleValue();
            double onRate = ((Number) on.get("requests_per_second")).doubleValue();
            Map<String, Object> cost = new LinkedHashMap<>();
            double lost = offRate == 0 ? 0 : 100.0 * (offRate - onRate) / offRate;
            cost.put("throughput_lost_percent", Math.round(lost * 10) / 10.0);
            cost.put("goal_at_most_5_percent", lost <= 5);
            cost.put("both_at_full", isAllFull(off) && isAllFull(on));
            report.add("tracing_cost", cost);
        } finally {
            receiver.stop(0);
        }
        return report;
    }

    private static boolean isAllFull(Map<String, Object> figures) {
        return ((Number) figures.get("share_full")).doubleValue() == 1.0;
    }

    private Map<String, Object> measure(List<String> tracing) throws Exception {
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
                root.resolve("benchmarks/target/bench-stack"),
                Benchmarks.serviceJvm(),
                StackConfig.ALL_SERVICES,
                arguments);
        try (LocalStack stack = LocalStack.start(config, System.out::println)) {
            int users = DemoDataSpec.standard().users();
            RecommendationBenchmark.closedLoop(stack.gatewayUrl(), users, callers, warmUpSeconds, "");
            return RecommendationBenchmark.closedLoop(stack.gatewayUrl(), users, callers, seconds, "");
        }
    }
}
