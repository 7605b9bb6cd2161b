package io.recsys.localstack;

import io.recsys.contracts.events.v1.Event;
import io.recsys.localstack.demo.DemoDataSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * {@code ./recsys start}: the platform on this machine until Ctrl-C. Options: {@code --no-demo-data}, {@code --seed=N},
 * {@code --users=N}, {@code --items=N}; a running Redis is used instead of a throwaway one when {@code REDIS_URL} is
 * set.
 */
public final class LocalStackMain {

    private LocalStackMain() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        Map<String, String> options = Arrays.stream(args)
                .filter(a -> a.startsWith("--"))
                .map(a -> a.substring(2).split("=", 2))
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv.length > 1 ? kv[1] : "true"));
        DemoDataSpec standard = DemoDataSpec.standard();
        Optional<DemoDataSpec> demo = options.containsKey("no-demo-data")
                ? Optional.empty()
                : Optional.of(new DemoDataSpec(
                        Long.parseLong(options.getOrDefault("seed", Long.toString(standard.seed()))),
                        Integer.parseInt(options.getOrDefault("items", Integer.toString(standard.items()))),
                        Integer.parseInt(options.getOrDefault("users", Integer.toString(standard.users()))),
                        standard.meanEventsPerUser(),
                        standard.days()));
        Path root = StackConfig.findRoot(Path.of(""));
        List<String> jvm = Optional.ofNullable(System.getenv("RECSYS_SERVICE_JVM_OPTS"))
                .map(s -> List.of(s.trim().split("\\s+")))
                .orElse(StackConfig.DEFAULT_SERVICE_JVM);
        StackConfig config = new StackConfig(
                root,
                StackPorts.defaults(),
                Optional.ofNullable(System.getenv("REDIS_URL"))
                        .filter(s -> !s.isBlank())
                        .<StackRedis>map(StackRedis.External::new)
                        .orElseGet(StackRedis.Embedded::new),
                demo,
                root.resolve(".local-stack"),
                jvm,
                StackConfig.ALL_SERVICES);

        LocalStack stack = LocalStack.start(config, out::println);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            out.println("\nstopping the platform ...");
                            stack.close();
                            out.println("stopped.");
                            stopped.countDown();
                        },
                        "local-stack-shutdown"));
        printWelcome(out, stack, stack.newcomersFirstItem().orElse("sku-00001"));
        stopped.await();
    }

    private static void printWelcome(PrintStream out, LocalStack stack, String newcomersFirstItem) {
        String gateway = stack.gatewayUrl().toString();
        String user = stack.demoData()
                .map(d -> d.events().getLast())
                .map(Event::getUserId)
                .orElse("user-00001");
        out.println();
        out.println("The recommendation platform is up. Gateway: " + gateway);
        out.println();
        out.println("  # what should " + user + " see now?");
        out.println("  curl \"" + gateway + "/api/v1/users/" + user + "/recommendations?limit=10\"");
        out.println();
        out.println(
                "  # a new shopper sees the best sellers; she buys the first one, asks again, and the answer changes");
        out.println("  curl \"" + WelcomeDemo.recommendations(gateway) + "\"");
        out.println("  curl -X POST " + gateway + "/api/v1/events -H 'Content-Type: application/json' -d '"
                + WelcomeDemo.purchaseOf(newcomersFirstItem) + "'");
        out.println("  curl \"" + WelcomeDemo.recommendations(gateway) + "\"");
        out.println();
        out.println("  # catalog upsert");
        out.println("  curl -X PUT " + gateway + "/api/v1/catalog/items -H 'Content-Type: application/json' \\");
        out.println("       -d '[{\"item_id\":\"sku-99999\",\"title\":\"Enamel Teapot\",\"category\":\"kitchen\","
                + "\"price\":12.5,\"currency\":\"GBP\"}]'");
        out.println();
        String management = stack.gatewayManagementUrl().toString();
        out.println("API description: " + gateway + "/swagger-ui.html (OpenAPI 3.1: " + gateway + "/v3/api-docs)");
        out.println("Health and metrics (the gateway's management port): " + management + "/actuator/health, "
                + management + "/actuator/prometheus");
        out.println("Press Ctrl-C to stop everything.");
    }
}
