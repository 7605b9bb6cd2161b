package io.recsys.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import com.sun.net.httpserver.HttpServer;
import io.recsys.localstack.demo.DemoDataSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tracing on the whole platform, turned on by its one property: every service exports spans over OTLP/HTTP to a
 * receiver in this test, and one request through the gateway is one trace with a span in each service it reached: a
 * recommendation in the gateway, the recommendation-service, the feature-service and the inference-service; an event in
 * the gateway, the ingestion-service and, through the log's {@code traceparent}, the feature-service applying it. The
 * five services between them.
 */
class TracingIT {

    /** A span as the receiver decoded it from OTLP protobuf. */
    record ReceivedSpan(String service, String traceId, String name) {}

    private static final List<ReceivedSpan> received = new CopyOnWriteArrayList<>();
    private static HttpServer receiver;
    private static LocalStack stack;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/v1/traces", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.addAll(decode(body));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        List<String> tracing = List.of(
                "--recsys.tracing.enabled=true",
                "--management.opentelemetry.tracing.export.otlp.endpoint=http://127.0.0.1:"
                        + receiver.getAddress().getPort() + "/v1/traces");
        Path root = StackConfig.findRoot(Path.of(""));
        stack = LocalStack.start(
                new StackConfig(
                        root,
                        StackPorts.free(),
                        new StackRedis.Embedded(),
                        Optional.of(DemoDataSpec.standard()),
                        root.resolve("local-stack/target/tracing"),
                        StackConfig.DEFAULT_SERVICE_JVM,
                        StackConfig.ALL_SERVICES,
                        StackConfig.ALL_SERVICES.stream().collect(Collectors.toMap(service -> service, s -> tracing))),
                line -> {});
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void aRecommendationIsOneTraceThroughTheGatewayTheRecommendationServiceAndBothOfItsBackends() throws Exception {
        String shopper = stack.demoData().orElseThrow().events().getFirst().getUserId();
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/users/" + shopper + "/recommendations"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        String traceId = answer.headers().firstValue("X-Trace-Id").orElseThrow();

        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(servicesIn(traceId))
                        .contains("gateway", "recommendation-service", "feature-service", "inference-service"));
    }

    @Test
    void anEventIsOneTraceThroughTheGatewayTheIngestionServiceAndTheLogIntoTheFeatureService() throws Exception {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/events"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "[{\"event_id\":\"traced-1\",\"user_id\":\"traced-shopper\",\"item_id\":\"sku-00001\","
                                        + "\"type\":\"view\"}]"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        String traceId = answer.headers().firstValue("X-Trace-Id").orElseThrow();

        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .untilAsserted(() ->
                        assertThat(servicesIn(traceId)).contains("gateway", "ingestion-service", "feature-service"));
        assertThat(received)
                .filteredOn(
                        span -> span.traceId().equals(traceId) && span.service().equals("feature-service"))
                .extracting(ReceivedSpan::name)
                .contains("apply log entry");
    }

    @Test
    void aProblemNamesItsTraceToo() throws Exception {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/users/u1/recommendations?limit=ten"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(400);
        String traceId = answer.headers().firstValue("X-Trace-Id").orElseThrow();
        assertThat(answer.body()).contains("\"trace_id\":\"" + traceId + "\"");
    }

    private static Set<String> servicesIn(String traceId) {
        return received.stream()
                .filter(span -> span.traceId().equals(traceId))
                .map(ReceivedSpan::service)
                .collect(Collectors.toSet());
    }

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 }
    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2 }
    // Resource { repeated KeyValue attributes = 1 }; KeyValue { string key = 1; AnyValue value = 2 }
    // AnyValue { string string_value = 1 }; ScopeSpans { repeated Span spans = 2 }
    // Span { bytes trace_id = 1; bytes span_id = 2; string name = 5 }
    private static List<ReceivedSpan> decode(byte[] body) throws IOException {
        List<ReceivedSpan> spans = new java.util.ArrayList<>();
        for (ByteString resourceSpans : fields(UnknownFieldSet.parseFrom(body), 1)) {
            UnknownFieldSet resourceSpan = UnknownFieldSet.parseFrom(resourceSpans);
            String service = "";
            for (ByteString resource : fields(resourceSpan, 1)) {
                for (ByteString attribute : fields(UnknownFieldSet.parseFrom(resource), 1)) {
                    UnknownFieldSet keyValue = UnknownFieldSet.parseFrom(attribute);
                    if (text(keyValue, 1).equals("service.name")) {
                        service = text(
                                UnknownFieldSet.parseFrom(fields(keyValue, 2).getFirst()), 1);
                    }
                }
            }
            for (ByteString scopeSpans : fields(resourceSpan, 2)) {
                for (ByteString span : fields(UnknownFieldSet.parseFrom(scopeSpans), 2)) {
                    UnknownFieldSet fieldsOfSpan = UnknownFieldSet.parseFrom(span);
                    spans.add(new ReceivedSpan(
                            service,
                            HexFormat.of()
                                    .formatHex(
                                            fields(fieldsOfSpan, 1).getFirst().toByteArray()),
                            text(fieldsOfSpan, 5)));
                }
            }
        }
        return spans;
    }

    private static List<ByteString> fields(UnknownFieldSet message, int number) {
        Map<Integer, UnknownFieldSet.Field> all = message.asMap();
        return all.containsKey(number) ? all.get(number).getLengthDelimitedList() : List.of();
    }

    private static String text(UnknownFieldSet message, int number) {
        List<ByteString> values = fields(message, number);
        return values.isEmpty() ? "" : values.getFirst().toStringUtf8();
    }
}
