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
 * A few requests through the whole chain before the stack is announced, so that the first person
 * trying it does not pay for cold JIT and connection set-up; also tells which item a newcomer sees
 * first, for the example in the welcome text.
 */
final class GatewayWarmUp {

    private static final Pattern FIRST_ITEM = Pattern.compile("\"item_id\":\"([^\"]+)\"");
    private static final int ROUNDS = 30;

    private GatewayWarmUp() {
    }

    static Optional<String> firstItemForNewcomer(URI gateway) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Optional<String> first = Optional.empty();
        for (int round = 0; round < ROUNDS; round++) {
            URI uri = gateway.resolve("/api/v1/users/warm-up-" + round + "/recommendations?limit=10");
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                Matcher matcher = FIRST_ITEM.matcher(response.body());
                if (response.statusCode() == 200 && matcher.find()) {
                    first = Optional.of(matcher.group(1));
                }
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        return first;
    }
}
