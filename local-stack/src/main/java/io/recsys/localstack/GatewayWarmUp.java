package io.recsys.localstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requests through the whole chain before the stack is announced, so that the first person trying it does not pay for
 * cold JIT and connection set-up: newcomers and, when the shop is seeded, a known shopper (the model path), until
 * answers come at full depth again (the depth controller steps down while everything is cold). Also tells which item a
 * newcomer sees first, for the welcome text.
 */
final class GatewayWarmUp {

    private static final Pattern FIRST_ITEM = Pattern.compile("\"item_id\":\"([^\"]+)\"");
    private static final int ROUNDS = 30;
    private static final Duration LONGEST = Duration.ofSeconds(45);

    private GatewayWarmUp() {}

    static Optional<String> firstItemForNewcomer(URI gateway, Optional<String> apiKey, Optional<String> knownShopper)
            throws InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Optional<String> first = Optional.empty();
        long until = System.nanoTime() + LONGEST.toNanos();
        int fullInARow = 0;
        for (int round = 0; (round < ROUNDS || fullInARow < 5) && System.nanoTime() < until; round++) {
            Optional<String> item = get(
                            http,
                            apiKey,
                            gateway.resolve("/api/v1/users/warm-up-" + round + "/recommendations?limit=10"))
                    .map(FIRST_ITEM::matcher)
                    .filter(Matcher::find)
                    .map(m -> m.group(1));
            if (item.isPresent()) {
                first = item;
            }
            Optional<String> known = knownShopper.flatMap(
                    user -> get(http, apiKey, gateway.resolve("/api/v1/users/" + user + "/recommendations?limit=10")));
            boolean full = knownShopper.isEmpty()
                    || known.filter(body -> body.contains("\"depth\":\"full\"")).isPresent();
            fullInARow = full ? fullInARow + 1 : 0;
            if (!full) {
                Thread.sleep(100); // the controller climbs back as answers get fast; give it time
            }
        }
        return first;
    }

    private static Optional<String> get(HttpClient http, Optional<String> apiKey, URI uri) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5));
        apiKey.ifPresent(key -> request.header("X-Api-Key", key));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
