package io.recsys.ingestion.eventlog;

import io.recsys.localredis.LocalRedisCluster;
import io.recsys.localredis.LocalRedisServer;
import io.recsys.localredis.RedisBinary;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.AfterAll;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link DurabilityScenario} on a Redis Cluster of three masters (no replicas), formed by the test from the same
 * redis-server binary: one master is killed, so the partitions it holds refuse writes until it is back.
 */
@SpringBootTest(properties = {"spring.grpc.server.port=0", "server.port=0"})
class ClusterDurabilityTest extends DurabilityScenario {

    private static final LocalRedisCluster cluster = start();

    @DynamicPropertySource
    static void redisProperties(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.cluster.nodes", cluster::nodes);
    }

    @AfterAll
    static void stopRedis() {
        cluster.close();
    }

    @Override
    void crash() throws InterruptedException {
        cluster.masters().getFirst().crash();
    }

    @Override
    void restart() throws IOException {
        cluster.masters().getFirst().restart();
        cluster.awaitState("ok");
    }

    private static LocalRedisCluster start() {
        try {
            return LocalRedisCluster.start(RedisBinary.locate(), 3, 0, LocalRedisServer.Persistence.AOF_ALWAYS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
