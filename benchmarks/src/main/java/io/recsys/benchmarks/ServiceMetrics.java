package io.recsys.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads figures from a service's Prometheus endpoint. */
final class ServiceMetrics {

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI prometheus;

    ServiceMetrics(int httpPort) {
        this.prometheus = URI.create("http://127.0.0.1:" + httpPort + "/actuator/prometheus");
    }

    /** Sum of the samples of {@code metric} whose labels contain {@code labelFragment}. */
    double counter(String metric, String labelFragment) throws IOException, InterruptedException {
        return samples(metric, labelFragment).sum();
    }

    /** Largest sample of {@code metric} whose labels contain {@code labelFragment}; 0 when there is none. */
    double max(String metric, String labelFragment) throws IOException, InterruptedException {
        return samples(metric, labelFragment).max().orElse(0);
    }

    private java.util.stream.DoubleStream samples(String metric, String labelFragment)
            throws IOException, InterruptedException {
        String body = http.send(
                        HttpRequest.newBuilder(prometheus)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return body.lines()
                .filter(line -> line.startsWith(metric + "{") && line.contains(labelFragment))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
    }
}
