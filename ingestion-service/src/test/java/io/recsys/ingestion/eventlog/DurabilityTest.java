package io.recsys.ingestion.eventlog;

import io.recsys.localredis.LocalRedisServer;
import io.recsys.localredis.RedisBinary;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.AfterAll;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link DurabilityScenario} on a single Redis. */
@SpringBootTest(properties = {"spring.grpc.server.port=0", "server.port=0"})
class DurabilityTest extends DurabilityScenario {

    private static final LocalRedisServer redis = start();

    @DynamicPropertySource
    static void redisProperties(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.host", redis::host);
        registry.add("spring.data.redis.port", redis::port);
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Override
    void crash() throws InterruptedException {
        redis.crash();
    }

    @Override
    void restart() throws IOException {
        redis.restart();
    }

    private static LocalRedisServer start() {
        try {
            return LocalRedisServer.start(RedisBinary.locate(), 0, LocalRedisServer.Persistence.AOF_ALWAYS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
