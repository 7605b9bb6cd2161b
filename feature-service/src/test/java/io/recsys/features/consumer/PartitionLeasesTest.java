package io.recsys.features.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.servicekit.redis.RedisLink;
import io.recsys.testsupport.RealRedis;
import java.time.Duration;
import java.time.Instant;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Two replicas share the partitions through a real Redis; when one stops renewing, the other takes them all. */
class PartitionLeasesTest {

    @RegisterExtension
    static final RealRedis redis = new RealRedis();

    private final EventLogPartitions partitions = new EventLogPartitions(8);
    private LettuceConnectionFactory factory;
    private RedisLink link;

    @BeforeEach
    void connect() {
        factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port()));
        factory.afterPropertiesSet();
        factory.start();
        link = new RedisLink(factory);
        link.call(commands -> commands.flushall());
    }

    @AfterEach
    void disconnect() {
        link.destroy();
        factory.destroy();
    }

    private PartitionLeases replica(String name) {
        return new PartitionLeases(
                link,
                partitions,
                new ConsumerProperties(
                        true,
                        name,
                        16,
                        256,
                        Duration.ofMillis(100),
                        Duration.ofSeconds(1),
                        // long enough that no pause of a busy machine lets a lease lapse between two steps below
                        Duration.ofSeconds(3),
                        Duration.ofSeconds(1)));
    }

    @Test
    void replicasShareThePartitionsAndTheLastOneTakesOverADeadOnesShare() {
        PartitionLeases a = replica("a");
        PartitionLeases b = replica("b");

        // a alone takes everything; once b has joined, a gives up b's share and b takes it
        assertThat(a.renew(Instant.now())).hasSize(8);
        assertThat(b.renew(Instant.now())).as("still held by a").isEmpty();
        a.renew(Instant.now());
        assertThat(b.renew(Instant.now())).containsExactly(1, 3, 5, 7);
        assertThat(a.held()).containsExactlyInAnyOrder(0, 2, 4, 6);

        // b stops renewing (a crash): once its membership and leases lapse, a holds every partition again
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            a.renew(Instant.now());
            assertThat(a.held()).hasSize(8);
        });
    }
}
