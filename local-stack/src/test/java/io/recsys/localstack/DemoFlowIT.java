package io.recsys.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.recsys.contracts.events.v1.Event;
import io.recsys.localstack.demo.DemoDataSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo {@code ./recsys start} prints, run as printed against the platform as it hands it over: the same service JVM
 * options and configuration (no relaxed latency target or deadline), the standard demo shop, the gateway's own
 * deadline. Each answer must come at full depth: one person trying the platform is not load.
 */
class DemoFlowIT {

    private static final JsonMapper json = JsonMapper.builder().build();
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static LocalStack stack;

    @BeforeAll
    static void startAsTheStartCommandDoes() throws Exception {
        Path root = StackConfig.findRoot(Path.of(""));
        stack = LocalStack.start(
                new StackConfig(
                        root,
                        StackPorts.free(),
                        new StackRedis.Embedded(),
                        Optional.of(DemoDataSpec.standard()),
                        root.resolve("local-stack/target/demo-stack"),
                        StackConfig.DEFAULT_SERVICE_JVM,
                        StackConfig.ALL_SERVICES),
                System.out::println);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void theWelcomeDemoWorksAsWrittenAtFullDepth() throws Exception {
        String gateway = stack.gatewayUrl().toString();
        String knownShopper = stack.demoData()
                .map(d -> d.events().getLast())
                .map(Event::getUserId)
                .orElseThrow();
        JsonNode known = answer(gateway + "/api/v1/users/" + knownShopper + "/recommendations?limit=10");
        assertThat(known.get("depth").asString()).as(known.toString()).isEqualTo("full");
        assertThat(known.get("cold_start").asBoolean()).isFalse();
        assertThat(known.get("items")).hasSize(10);

        // a new shopper sees the best sellers, the first of them the one the welcome text names
        String item = stack.newcomersFirstItem().orElseThrow();
        JsonNode before = answer(WelcomeDemo.recommendations(gateway));
        assertThat(before.get("depth").asString()).as(before.toString()).isEqualTo("full");
        assertThat(before.get("cold_start").asBoolean()).isTrue();
        assertThat(before.get("items").get(0).get("item_id").asString()).isEqualTo(item);

        // she buys it
        HttpResponse<String> posted = http.send(
                HttpRequest.newBuilder(URI.create(gateway + "/api/v1/events"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(WelcomeDemo.purchaseOf(item)))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);

        // asks again: once the feature-service has applied her events (it reads the log continuously), the answer is
        // hers, at full depth, without what she bought
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    JsonNode after = answer(WelcomeDemo.recommendations(gateway));
                    assertThat(after.get("cold_start").asBoolean()).isFalse();
                    assertThat(after.get("depth").asString())
                            .as(after.toString())
                            .isEqualTo("full");
                    assertThat(after.get("items")
                                    .valueStream()
                                    .map(i -> i.get("item_id").asString()))
                            .hasSize(5)
                            .doesNotContain(item);
                });
    }

    private static JsonNode answer(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}
