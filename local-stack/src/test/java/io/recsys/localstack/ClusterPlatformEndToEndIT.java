package io.recsys.localstack;

import io.recsys.localredis.LocalRedisCluster;
import io.recsys.localredis.LocalRedisServer;

/**
 * {@link PlatformEndToEndScenario} on a Redis Cluster of three masters (no replicas; failover is tested in
 * FeatureStoreCrashIT), the same services and settings but {@code spring.data.redis.cluster.nodes}.
 */
class ClusterPlatformEndToEndIT extends PlatformEndToEndScenario {

    @Override
    StackRedis redis() {
        return new StackRedis.EmbeddedCluster(3, 0);
    }

    @Override
    void redisDown() {
        cluster().masters().forEach(LocalRedisServer::stop);
    }

    @Override
    void redisUp() throws Exception {
        for (LocalRedisServer master : cluster().masters()) {
            master.restart();
        }
        cluster().awaitState("ok");
    }

    private LocalRedisCluster cluster() {
        return stack.redisCluster().orElseThrow();
    }
}
