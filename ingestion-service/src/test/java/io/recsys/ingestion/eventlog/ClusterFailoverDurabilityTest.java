package io.recsys.ingestion.eventlog;

import io.recsys.localredis.LocalRedisCluster;
import io.recsys.localredis.LocalRedisServer;
import io.recsys.localredis.RedisBinary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link DurabilityScenario} through a failover: a Redis Cluster of three masters with a replica each and no
 * persistence at all, so only replication keeps the data. One master is killed; its replica takes over; the old master
 * comes back empty and follows the new one. With {@code recsys.redis.replica-acks=1} an event is acknowledged only once
 * a replica has it, so the promoted replica holds every acknowledged event (with {@code replica-acks=0} this test
 * fails: the replica lacks what its master acknowledged while it was behind).
 */
@SpringBootTest(properties = {"spring.grpc.server.port=0", "server.port=0", "recsys.redis.replica-acks=1"})
class ClusterFailoverDurabilityTest extends DurabilityScenario {

    private static final LocalRedisCluster cluster = start();

    @DynamicPropertySource
    static void redisProperties(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.cluster.nodes", cluster::nodes);
    }

    @AfterAll
    static void stopRedis() {
        cluster.close();
    }

    /**
     * The replica falls behind first (frozen and cut off while a few calls go by), so that its master holds writes it
     * lacks when the master dies: without waiting for replicas, the events of those calls would be acknowledged, then
     * lost.
     */
    @Override
    void crash() throws Exception {
        cluster.crashMasterAheadOfItsReplicas(cluster.masters().getFirst(), () -> {
            int before = calls.get();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> calls.get() >= before + 3);
        });
    }

    @Override
    void restart() throws IOException {
        LocalRedisServer old = cluster.masters().getFirst();
        cluster.awaitFailoverOf(old);
        // the promoted replica has no replica of its own until the old master is back: writes there wait for it
        old.restart();
        cluster.awaitReplicasLinked();
    }

    private static LocalRedisCluster start() {
        try {
            return LocalRedisCluster.start(RedisBinary.locate(), 3, 1, LocalRedisServer.Persistence.NONE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
