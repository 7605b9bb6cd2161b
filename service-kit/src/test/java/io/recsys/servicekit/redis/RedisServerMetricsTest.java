package io.recsys.servicekit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.recsys.testsupport.RealRedis;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Redis's own memory and persistence figures, read from a real server's INFO and exported as gauges. */
class RedisServerMetricsTest {

    @RegisterExtension
    static final RealRedis redis = new RealRedis();

    private static final String FAILING_PERSISTENCE = String.join(
            "\r\n",
            "# Memory",
            "used_memory:1048576",
            "maxmemory:2097152",
            "# Persistence",
            "rdb_last_bgsave_status:ok",
            "aof_last_bgrewrite_status:err",
            "aof_last_write_status:err",
            "");

    private LettuceConnectionFactory factory;
    private RedisLink link;
    private final MeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void connect() {
        factory = FailFastFactory.connect(redis.host(), redis.port());
        link = new RedisLink(factory);
    }

    @AfterEach
    void disconnect() {
        link.destroy();
        factory.destroy();
    }

    private double gauge(String name, String... tags) {
        return meters.get(name).tags(tags).gauge().value();
    }

    @Test
    void aPollReportsTheServersMemoryAndHealthyPersistence() {
        link.call(commands -> commands.configSet("maxmemory", "64mb"));
        RedisServerMetrics metrics = new RedisServerMetrics(link, Duration.ofSeconds(10));
        metrics.bindTo(meters);

        try {
            metrics.poll();
        } finally {
            link.call(commands -> commands.configSet("maxmemory", "0"));
        }

        assertThat(gauge("recsys.redis.memory.used")).isPositive();
        assertThat(gauge("recsys.redis.memory.max")).isEqualTo(64.0 * 1024 * 1024);
        assertThat(gauge("recsys.redis.persistence.failing", "operation", "aof_write"))
                .isZero();
        assertThat(gauge("recsys.redis.persistence.failing", "operation", "rdb_save"))
                .isZero();
        assertThat(meters.get("recsys.redis.info.failures").functionCounter().count())
                .isZero();
    }

    @Test
    void failedPersistenceOperationsReadAsOne() {
        RedisServerMetrics metrics = new RedisServerMetrics(link, Duration.ofSeconds(10));
        metrics.bindTo(meters);

        metrics.record(RedisServerMetrics.parse(FAILING_PERSISTENCE));

        assertThat(gauge("recsys.redis.persistence.failing", "operation", "aof_write"))
                .isEqualTo(1);
        assertThat(gauge("recsys.redis.persistence.failing", "operation", "aof_rewrite"))
                .isEqualTo(1);
        assertThat(gauge("recsys.redis.persistence.failing", "operation", "rdb_save"))
                .isZero();
        assertThat(gauge("recsys.redis.memory.max")).isEqualTo(2097152);
    }

    @Test
    void aPollWithoutRedisIsCountedAndKeepsTheLastFigures() {
        RedisServerMetrics metrics = new RedisServerMetrics(link, Duration.ofSeconds(10));
        metrics.bindTo(meters);
        metrics.poll();
        double used = gauge("recsys.redis.memory.used");

        redis.stop();
        try {
            metrics.poll();
        } finally {
            redis.restart();
        }

        assertThat(meters.get("recsys.redis.info.failures").functionCounter().count())
                .isEqualTo(1);
        assertThat(gauge("recsys.redis.memory.used")).isEqualTo(used);
    }
}
