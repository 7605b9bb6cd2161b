package io.recsys.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.recsys.gateway.StandInBackend;
import io.recsys.testsupport.RealRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI document against the real answers: every status and media type it documents for an operation is produced
 * by one of the requests below, and every answer those requests get is documented, with a body that its schema
 * describes (no field the schema lacks, every field it requires, the types it states).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.grpc.server.port=0",
            "recsys.gateway.auth.clients.tester.api-keys=" + OpenApiContractTest.KEY,
            "recsys.gateway.auth.clients.limited.api-keys=" + OpenApiContractTest.LIMITED_KEY,
            "recsys.gateway.rate-limit.clients.limited.requests-per-second=1",
            "recsys.gateway.rate-limit.clients.limited.burst=1",
            "recsys.gateway.max-request-size=2KB"
        })
class OpenApiContractTest {

    static final String KEY = "tester-key-0123456789";
    static final String LIMITED_KEY = "limited-key-0123456789";

    @RegisterExtension
    static final RealRedis redis = new RealRedis();

    private static final StandInBackend backend = new StandInBackend();

    @DynamicPropertySource
    static void backends(DynamicPropertyRegistry registry) {
        redis.registerSpringProperties(registry::add);
        registry.add("spring.grpc.client.channel.recommendation-service.target", backend::target);
        registry.add("spring.grpc.client.channel.ingestion-service.target", backend::target);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @LocalServerPort
    int port;

    private final ObjectMapper json = JsonMapper.builder().build();
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** One documented outcome: operation, status and media type. */
    private record Outcome(String path, String method, String status, String mediaType) implements Comparable<Outcome> {
        @Override
        public int compareTo(Outcome other) {
            return toString().compareTo(other.toString());
        }
    }

    @Test
    void everyDocumentedAnswerIsProducedAndEveryAnswerIsDocumented() throws Exception {
        JsonNode document = json.readTree(get("/v3/api-docs", Map.of()).body());
        assertThat(document.path("openapi").asString()).startsWith("3.1");
        assertThat(document.path("components")
                        .path("securitySchemes")
                        .path("api-key")
                        .path("name")
                        .asString())
                .isEqualTo("X-Api-Key");

        Set<Outcome> documented = new TreeSet<>();
        document.path("paths")
                .properties()
                .forEach(path -> path.getValue().properties().forEach(operation -> {
                    operation.getValue().path("responses").properties().forEach(response -> {
                        response.getValue()
                                .path("content")
                                .properties()
                                .forEach(media -> documented.add(new Outcome(
                                        path.getKey(), operation.getKey(), response.getKey(), media.getKey())));
                    });
                }));
        assertThat(documented)
                .extracting(Outcome::path)
                .contains("/api/v1/users/{userId}/recommendations", "/api/v1/events", "/api/v1/catalog/items");

        Set<Outcome> produced = new TreeSet<>();
        List<String> violations = new ArrayList<>();
        for (Exchange exchange : exchanges()) {
            HttpResponse<String> response = exchange.send(this);
            String mediaType = response.headers()
                    .firstValue("Content-Type")
                    .map(type -> type.split(";")[0].trim())
                    .orElse("");
            Outcome outcome = new Outcome(
                    exchange.documentedPath(), exchange.method(), Integer.toString(response.statusCode()), mediaType);
            produced.add(outcome);
            if (!documented.contains(outcome)) {
                violations.add("undocumented: " + outcome + " for " + exchange + ": " + response.body());
                continue;
            }
            JsonNode schema = document.path("paths")
                    .path(outcome.path())
                    .path(outcome.method())
                    .path("responses")
                    .path(outcome.status())
                    .path("content")
                    .path(mediaType)
                    .path("schema");
            validate(json.readTree(response.body()), schema, document, "$", outcome, violations);
        }
        assertThat(violations).isEmpty();
        Set<Outcome> neverProduced = new TreeSet<>(documented);
        neverProduced.removeAll(produced);
        assertThat(neverProduced).as("documented but produced by no request").isEmpty();
    }

    private List<Exchange> exchanges() {
        String recommendations = "/api/v1/users/{userId}/recommendations";
        List<Exchange> all = new ArrayList<>();
        all.add(Exchange.get(recommendations, "/api/v1/users/alice/recommendations?limit=3", KEY));
        all.add(Exchange.get(recommendations, "/api/v1/users/alice/recommendations?limit=ten", KEY));
        all.add(Exchange.get(recommendations, "/api/v1/users/alice/recommendations", null));
        all.add(Exchange.get(recommendations, "/api/v1/users/alice/recommendations", KEY)
                .with("Accept", "application/xml"));
        all.add(Exchange.get(recommendations, "/api/v1/users/internal-error/recommendations", KEY));
        all.add(Exchange.get(recommendations, "/api/v1/users/unavailable/recommendations", KEY));
        all.add(Exchange.get(recommendations, "/api/v1/users/never-answers/recommendations", KEY)
                .with("X-Request-Deadline-Ms", "50"));
        all.add(Exchange.get(recommendations, "/api/v1/users/limited/recommendations", LIMITED_KEY)
                .repeatedUntil(429));

        batchRoute(
                all,
                "POST",
                "/api/v1/events",
                "event_id",
                "{\"user_id\":\"u\",\"item_id\":\"i\",\"type\":\"view\"",
                "{\"event_id\":\"e\",\"user_id\":\"\",\"item_id\":\"i\",\"type\":\"view\"}");
        batchRoute(all, "PUT", "/api/v1/catalog/items", "item_id", "{\"title\":\"Mug\"", "{\"item_id\":\"\"}");
        return all;
    }

    /** The outcomes of a batch route: {@code firstField} names the id the stand-in answers by. */
    private static void batchRoute(
            List<Exchange> all, String method, String path, String idField, String partial, String rejected) {
        java.util.function.Function<String, String> batchWithId =
                id -> "[" + partial + ",\"" + idField + "\":\"" + id + "\"}]";
        all.add(Exchange.body(method, path, KEY, batchWithId.apply("fine")));
        all.add(Exchange.body(method, path, KEY, "[" + rejected + "]"));
        all.add(Exchange.body(method, path, KEY, "[{\"" + idField + "\":"));
        all.add(Exchange.body(method, path, null, batchWithId.apply("fine")));
        all.add(Exchange.body(method, path, KEY, batchWithId.apply("fine")).with("Accept", "application/xml"));
        all.add(Exchange.body(method, path, KEY, "[" + (partial + ",\"pad\":\"x\"},").repeat(150) + "{}]"));
        all.add(Exchange.body(method, path, KEY, "view").with("Content-Type", "text/plain"));
        all.add(Exchange.body(method, path, LIMITED_KEY, batchWithId.apply("fine"))
                .repeatedUntil(429));
        all.add(Exchange.body(method, path, KEY, batchWithId.apply("internal-error")));
        all.add(Exchange.body(method, path, KEY, batchWithId.apply("unavailable")));
        all.add(Exchange.body(method, path, KEY, batchWithId.apply("never-answers"))
                .with("X-Request-Deadline-Ms", "50"));
    }

    private record Exchange(
            String documentedPath,
            String method,
            String uri,
            String key,
            String body,
            Map<String, String> headers,
            int repeatUntil) {

        static Exchange get(String documentedPath, String uri, String key) {
            return new Exchange(documentedPath, "get", uri, key, null, Map.of(), 0);
        }

        static Exchange body(String method, String path, String key, String body) {
            return new Exchange(
                    path,
                    method.toLowerCase(java.util.Locale.ROOT),
                    path,
                    key,
                    body,
                    Map.of("Content-Type", "application/json"),
                    0);
        }

        Exchange with(String header, String value) {
            Map<String, String> more = new java.util.HashMap<>(headers);
            more.put(header, value);
            return new Exchange(documentedPath, method, uri, key, body, Map.copyOf(more), repeatUntil);
        }

        /** Sent again (up to 20 times) until the status comes: a rate limit needs a few requests to run out. */
        Exchange repeatedUntil(int status) {
            return new Exchange(documentedPath, method, uri, key, body, headers, status);
        }

        HttpResponse<String> send(OpenApiContractTest test) throws Exception {
            HttpResponse<String> response = null;
            for (int i = 0; i < (repeatUntil == 0 ? 1 : 20); i++) {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + test.port + uri))
                        .timeout(Duration.ofSeconds(10))
                        .method(
                                method.toUpperCase(java.util.Locale.ROOT),
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body));
                headers.forEach(request::header);
                if (key != null) {
                    request.header("X-Api-Key", key);
                }
                response = test.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (repeatUntil == 0 || response.statusCode() == repeatUntil) {
                    break;
                }
            }
            return response;
        }
    }

    private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final Pattern REF = Pattern.compile("#/components/schemas/(.+)");

    /** The structural check of a body against its schema: fields, required fields, types, array items. */
    private static void validate(
            JsonNode value, JsonNode schema, JsonNode document, String at, Outcome outcome, List<String> violations) {
        if (schema.has("$ref")) {
            var ref = REF.matcher(schema.path("$ref").asString());
            assertThat(ref.matches()).as("a component reference: " + schema).isTrue();
            validate(
                    value,
                    document.path("components").path("schemas").path(ref.group(1)),
                    document,
                    at,
                    outcome,
                    violations);
            return;
        }
        Set<String> types = new TreeSet<>();
        if (schema.path("type").isArray()) {
            schema.path("type").forEach(type -> types.add(type.asString()));
        } else if (schema.has("type")) {
            types.add(schema.path("type").asString());
        }
        if (value.isNull()) {
            if (!types.isEmpty() && !types.contains("null")) {
                violations.add(outcome + " " + at + ": null, schema says " + types);
            }
            return;
        }
        String actual = value.isObject()
                ? "object"
                : value.isArray()
                        ? "array"
                        : value.isTextual()
                                ? "string"
                                : value.isIntegralNumber() ? "integer" : value.isNumber() ? "number" : "boolean";
        boolean typeOk =
                types.isEmpty() || types.contains(actual) || (actual.equals("integer") && types.contains("number"));
        if (!typeOk) {
            violations.add(outcome + " " + at + ": a " + actual + ", schema says " + types);
            return;
        }
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            boolean open = schema.path("additionalProperties").isObject()
                    || schema.path("additionalProperties").asBoolean(false);
            for (Iterator<String> names = value.propertyNames().iterator(); names.hasNext(); ) {
                String name = names.next();
                if (properties.has(name)) {
                    validate(value.path(name), properties.path(name), document, at + "." + name, outcome, violations);
                } else if (!open) {
                    violations.add(
                            outcome + " " + at + "." + name + ": not in the schema " + properties.propertyNames());
                }
            }
            schema.path("required").forEach(required -> {
                if (!value.has(required.asString())) {
                    violations.add(outcome + " " + at + ": required " + required.asString() + " missing");
                }
            });
        } else if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                validate(value.get(i), schema.path("items"), document, at + "[" + i + "]", outcome, violations);
            }
        }
    }
}
