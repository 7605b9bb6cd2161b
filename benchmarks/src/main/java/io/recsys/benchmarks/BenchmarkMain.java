package io.recsys.benchmarks;

import io.recsys.localstack.StackConfig;
import java.nio.file.Path;
import java.util.Arrays;

/** {@code ./recsys bench ingestion|features|inference|recommendations|edge|tracing [--key=value ...]}. */
public final class BenchmarkMain {

    private BenchmarkMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            return;
        }
        BenchOptions options = BenchOptions.parse(Arrays.copyOfRange(args, 1, args.length));
        Path root = StackConfig.findRoot(Path.of(""));
        BenchmarkReport report = switch (args[0]) {
            case "ingestion" -> new IngestionBenchmark(root, options).run();
            case "features" -> new FeatureReadBenchmark(root, options).run();
            case "inference" -> new InferenceBenchmark(root, options).run();
            case "recommendations" -> new RecommendationBenchmark(root, options).run();
            case "edge" -> new EdgeBenchmark(root, options).run();
            case "tracing" -> new TracingBenchmark(root, options).run();
            default -> {
                usage();
                yield null;
            }
        };
        if (report != null) {
            Path written = report.write(root.resolve("bench-results"));
            System.out.println("\nwritten: " + root.relativize(written));
        }
        // service processes are gone; do not wait for lingering client threads
        System.exit(0);
    }

    private static void usage() {
        System.err.println("""
                usage: ./recsys bench NAME [--key=value ...]
                  ingestion  events/s acknowledged into Redis (unary batches of 100 and 1000, client streaming),
                             the feature consumer's apply rate and lag, Redis memory per event, user and item
                             options: --events=300000 --concurrency=8 --streams=4 --users=100000 --items=20000
                  features   GetFeatures latency for one user + 100 and + 1000 items under concurrent load
                             options: --seconds=15 --warmup-seconds=5 --threads=1,4 --users=20000 --items=10000
                  inference  Rank rows/s and latency (1/100/500 candidates, 1..64 callers,
                              open loop at half saturation),
                             Retrieve latency over 10k and 100k items, service RSS and GC pauses
                             options: --seconds=5 --warmup-seconds=2 --candidates=1,100,500 --concurrency=1,2,8,64
                  recommendations  the whole platform through the gateway: saturation, steady load, overload to 4x and
                             back, inference-service stopped and restarted; depth shares per second, PNG charts
                             options: --saturation-seconds=10 --steady-seconds=30 --callers=8
                  edge       the gateway: a polite client's answers and p99 alone and beside a client flooding at
                             10x its limit; the edge's added latency over calling the recommendation-service directly
                             options: --limit=50 --polite-rate=25 --flood-factor=10 --seconds=30 --warm-up-seconds=90
                             --overhead-seconds=30 --rate-limit=1 (0: no bucket lookup)
                  tracing    recommendation throughput through the gateway with tracing off, then on (OTLP export)
                             options: --callers=8 --seconds=20 --warm-up-seconds=90 --sampling=1.0
                """);
        System.exit(2);
    }
}
