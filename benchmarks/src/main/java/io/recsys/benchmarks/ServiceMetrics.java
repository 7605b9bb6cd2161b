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

    /** The samples of {@code metric}, summed by the value of {@code label}. */
    java.util.Map<String, Double> byLabel(String metric, String label) throws IOException, InterruptedException {
        java.util.Map<String, Double> values = new java.util.TreeMap<>();
        String marker = label + "=\"";
        for (String line : body().lines().toList()) {
            int at = line.indexOf(marker);
            if (line.startsWith(metric + "{") && at > 0) {
                int from = at + marker.length();
                values.merge(
                        line.substring(from, line.indexOf('"', from)),
                        Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)),
                        Double::sum);
            }
        }
        return values;
    }

    private String body() throws IOException, InterruptedException {
        return http.send(
                        HttpRequest.newBuilder(prometheus)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private java.util.stream.DoubleStream samples(String metric, String labelFragment)
            throws IOException, InterruptedException {
        return body().lines()
                .filter(line -> line.startsWith(metric + "{") && line.contains(labelFragment))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
    }
}
