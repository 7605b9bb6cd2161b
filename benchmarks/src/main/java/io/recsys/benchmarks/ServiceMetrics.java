package io.recsys.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads one counter from a service's Prometheus endpoint. */
final class ServiceMetrics {

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI prometheus;

    ServiceMetrics(int httpPort) {
        this.prometheus = URI.create("http://127.0.0.1:" + httpPort + "/actuator/prometheus");
    }

    /** Sum of the samples of {@code metric} whose labels contain {@code labelFragment}. */
    double counter(String metric, String labelFragment) throws IOException, InterruptedException {
        String body = http.send(HttpRequest.newBuilder(prometheus).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith(metric + "{") && line.contains(labelFragment)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
