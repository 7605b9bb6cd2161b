package io.recsys.testsupport;

import java.io.IOException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Redis for one test class, wherever the tests run:
 *
 * <ol>
 *   <li>{@code RECSYS_TEST_REDIS_URL}, when set: an already running server (host:port only);
 *   <li>a Testcontainers Redis, when a Docker engine answers;
 *   <li>otherwise a redis-server child process: the installed binary, else the embedded one.
 * </ol>
 *
 * When none can be had the tests are skipped, except under {@code CI=true}, where they fail loudly: a CI run that
 * quietly skips its Redis tests proves nothing.
 *
 * <pre>
 * &#64;RegisterExtension static final RealRedis redis = new RealRedis();
 * &#64;DynamicPropertySource static void redis(DynamicPropertyRegistry r) { redis.registerSpringProperties(r::add); }
 * </pre>
 */
public final class RealRedis implements BeforeAllCallback, AfterAllCallback {

    private RedisBackend backend;

    @Override
    public void beforeAll(ExtensionContext context) {
        ensureStarted();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }

    public String host() {
        return ensureStarted().host();
    }

    public int port() {
        return ensureStarted().port();
    }

    public String description() {
        return ensureStarted().description();
    }

    /** Makes the server unreachable, as an outage would. */
    public void stop() {
        ensureStarted().interrupt();
    }

    /** Brings the server back at the same address; tests must not rely on its data surviving. */
    public void restart() {
        ensureStarted().resume();
    }

    /** Registers {@code spring.data.redis.host/port} lazily, for {@code @DynamicPropertySource}. */
    public void registerSpringProperties(PropertySink sink) {
        sink.add("spring.data.redis.host", this::host);
        sink.add("spring.data.redis.port", this::port);
    }

    @FunctionalInterface
    public interface PropertySink {
        void add(String name, java.util.function.Supplier<Object> value);
    }

    private synchronized RedisBackend ensureStarted() {
        if (backend == null) {
            backend = startBackend();
        }
        return backend;
    }

    private static RedisBackend startBackend() {
        String external = System.getenv("RECSYS_TEST_REDIS_URL");
        if (external != null && !external.isBlank()) {
            return RedisBackend.external(external);
        }
        if (ContainerRedis.dockerAvailable()) {
            return ContainerRedis.start();
        }
        try {
            return ProcessRedis.start();
        } catch (IOException | RuntimeException e) {
            String message = "no real Redis for tests: no Docker engine, and redis-server could not start: " + e;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(message, e);
            }
            Assumptions.abort(message);
            throw new AssertionError("unreachable");
        }
    }
}
