package io.recsys.servicekit.tracing;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Tracing's defaults, stated once for every service (each can override them like any property). Off unless
 * {@code management.tracing.enabled=true} ({@code MANAGEMENT_TRACING_ENABLED=true}): then every request is traced, W3C
 * {@code traceparent} travels through every gRPC hop and the event log, and spans go over OTLP/HTTP to a collector on
 * this host unless {@code management.opentelemetry.tracing.export.otlp.endpoint} names another.
 */
public class TracingDefaults implements EnvironmentPostProcessor {

    static final Map<String, Object> DEFAULTS = Map.of(
            "management.tracing.enabled", "false",
            "management.tracing.sampling.probability", "1.0",
            "management.tracing.propagation.type", "w3c",
            "management.opentelemetry.tracing.export.otlp.endpoint", "http://localhost:4318/v1/traces");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new MapPropertySource("recsys-tracing-defaults", DEFAULTS));
        if (environment.getProperty("management.tracing.enabled", Boolean.class, false)) {
            // the trace follows a request across threads and reactive operators (the gateway's WebFlux); only
            // when tracing is on, for it costs every operator a context restore
            environment
                    .getPropertySources()
                    .addLast(new MapPropertySource(
                            "recsys-tracing-propagation", Map.of("spring.reactor.context-propagation", "auto")));
        }
    }
}
