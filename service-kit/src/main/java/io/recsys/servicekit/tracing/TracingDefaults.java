package io.recsys.servicekit.tracing;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Tracing's one switch, {@value #SWITCH} (default false; {@code RECSYS_TRACING_ENABLED=true}), and what it sets in
 * every service. On: every request is traced, W3C {@code traceparent} travels through every gRPC hop and the event log,
 * spans go over OTLP/HTTP to a collector on this host unless
 * {@code management.opentelemetry.tracing.export.otlp.endpoint} names another, and the trace follows a request across
 * the gateway's reactive operators. Off: nothing is sampled or exported. Each value is a default that the service's own
 * configuration can override (a lower {@code management.tracing.sampling.probability}, say).
 */
public class TracingDefaults implements EnvironmentPostProcessor {

    public static final String SWITCH = "recsys.tracing.enabled";

    static final Map<String, Object> ON = Map.of(
            "management.tracing.export.enabled", "true",
            "management.tracing.sampling.probability", "1.0",
            "management.tracing.propagation.type", "w3c",
            "management.opentelemetry.tracing.export.otlp.endpoint", "http://localhost:4318/v1/traces",
            // restoring the trace in every reactive operator costs, so only when tracing
            "spring.reactor.context-propagation", "auto");

    // Spring Boot creates an exporter whenever an endpoint is set and samples a tenth of all requests by default
    static final Map<String, Object> OFF = Map.of(
            "management.tracing.export.enabled", "false",
            "management.tracing.sampling.probability", "0.0",
            "management.tracing.propagation.type", "w3c");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        boolean on = environment.getProperty(SWITCH, Boolean.class, false);
        environment.getPropertySources().addLast(new MapPropertySource("recsys-tracing-defaults", on ? ON : OFF));
    }
}
