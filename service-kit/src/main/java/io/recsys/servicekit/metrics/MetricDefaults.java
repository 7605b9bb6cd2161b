package io.recsys.servicekit.metrics;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Latency as server-side histogram buckets in every service: a percentile computed inside one replica cannot be
 * aggregated across replicas, buckets can ({@code histogram_quantile(0.99, sum by (le) (rate(..._bucket[5m])))}).
 * Applies to the HTTP server (the gateway), the gRPC server and client timers of every hop; the platform's own timers
 * ask for histograms where they are built. Each value is a default that a service's configuration can override.
 */
public class MetricDefaults implements EnvironmentPostProcessor {

    static final Map<String, Object> DEFAULTS = Map.of(
            "management.metrics.distribution.percentiles-histogram.http.server.requests", "true",
            "management.metrics.distribution.percentiles-histogram.grpc.server", "true",
            "management.metrics.distribution.percentiles-histogram.grpc.client", "true",
            // buckets between 1 ms and 5 s: below is noise on this hot path, above is a timeout already
            "management.metrics.distribution.minimum-expected-value.grpc", "1ms",
            "management.metrics.distribution.maximum-expected-value.grpc", "5s",
            "management.metrics.distribution.minimum-expected-value.http.server.requests", "1ms",
            "management.metrics.distribution.maximum-expected-value.http.server.requests", "5s");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new MapPropertySource("recsys-metric-defaults", DEFAULTS));
    }
}
