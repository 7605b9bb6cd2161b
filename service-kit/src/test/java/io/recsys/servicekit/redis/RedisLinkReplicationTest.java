package io.recsys.servicekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.recsys.localredis.LocalRedisCluster;
import io.recsys.localredis.LocalRedisServer;
import io.recsys.localredis.RedisBinary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Waiting for replicas on a real Redis Cluster of three masters with a replica each: the wait counts the writes this
 * link sent each master, so it fails while the replicas are frozen and succeeds once they have caught up.
 */
class RedisLinkReplicationTest {

    private static LocalRedisCluster cluster;

    private LettuceConnectionFactory factory;
    private RedisLink link;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = LocalRedisCluster.start(RedisBinary.locate(), 3, 1, LocalRedisServer.Persistence.NONE);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @BeforeEach
    void connect() {
        factory = new LettuceConnectionFactory(
                new RedisClusterConfiguration(List.of(cluster.nodes().split(","))),
                LettuceClientConfiguration.builder()
                        .commandTimeout(Duration.ofSeconds(2))
                        .build());
        factory.afterPropertiesSet();
        factory.start();
        link = new RedisLink(factory, new RedisReplicationProperties(1, Duration.ofMillis(300)));
    }

    @AfterEach
    void disconnect() {
        link.destroy();
        factory.destroy();
    }

    /** Keys whose slots fall to each of the three masters. */
    private static final List<String> KEYS = List.of("{a}:k", "{b}:k", "{c}:k");

    private void write(String value) {
        List<AsyncCommand<String, String, String>> writes = new ArrayList<>();
        for (String key : KEYS) {
            writes.add(RedisLink.async(new Command<>(
                    CommandType.SET,
                    new StatusOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).addKey(key).addValue(value))));
        }
        link.run(writes);
    }

    @Test
    void confirmedWritesAreOnTheReplicas() {
        assertThat(KEYS.stream().map(link::nodeOf).distinct()).hasSize(3);
        write("confirmed");
        link.awaitReplicas(() -> KEYS);

        int found = 0;
        for (LocalRedisServer replica : cluster.replicas()) {
            RedisClient client = RedisClient.create(RedisURI.create(replica.host(), replica.port()));
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                connection.sync().readOnly();
                for (String key : KEYS) {
                    // a replica answers only for its master's slots (MOVED for the others)
                    try {
                        if ("confirmed".equals(connection.sync().get(key))) {
                            found++;
                        }
                    } catch (io.lettuce.core.RedisCommandExecutionException moved) {
                        assertThat(moved).hasMessageContaining("MOVED");
                    }
                }
            } finally {
                client.shutdown();
            }
        }
        assertThat(found).as("each key on its master's replica").isEqualTo(KEYS.size());
    }

    @Test
    void writesTheFrozenReplicasLackAreNotConfirmedUntilTheyCatchUp() throws Exception {
        write("before");
        link.awaitReplicas(() -> KEYS);
        for (LocalRedisServer replica : cluster.replicas()) {
            replica.freeze();
        }
        try {
            write("while frozen");
            assertThatThrownBy(() -> link.awaitReplicas(() -> KEYS))
                    .isInstanceOf(QueryTimeoutException.class)
                    .hasMessageContaining("only 0 of 1 replicas");
        } finally {
            for (LocalRedisServer replica : cluster.replicas()) {
                replica.resume();
            }
        }
        // nothing new written: the same writes are confirmed once the replicas have them
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .ignoreExceptionsInstanceOf(QueryTimeoutException.class)
                .untilAsserted(() -> link.awaitReplicas(() -> KEYS));
    }
}
