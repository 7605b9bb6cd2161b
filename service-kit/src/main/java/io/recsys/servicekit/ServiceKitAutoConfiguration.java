package io.recsys.servicekit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.servicekit.eventlog.EventLogProperties;
import io.recsys.servicekit.redis.RedisReplicationProperties;
import io.recsys.servicekit.tracing.LogTracing;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What every service of the platform shares. */
@AutoConfiguration
@EnableConfigurationProperties({EventLogProperties.class, RedisReplicationProperties.class})
public class ServiceKitAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    EventLogPartitions eventLogPartitions(EventLogProperties properties) {
        return properties.layout();
    }

    @Bean
    @ConditionalOnMissingBean
    LogTracing logTracing(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        return new LogTracing(tracer.getIfAvailable(), propagator.getIfAvailable());
    }

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    @ConditionalOnMissingBean
    GrpcErrorTranslation grpcErrorTranslation(@Value("${recsys.grpc.retry-after:1s}") Duration retryAfter) {
        return new GrpcErrorTranslation(retryAfter);
    }

    /**
     * Lettuce by default queues commands while disconnected, so a Redis outage turns into requests that hang until
     * their timeout. Rejecting at once lets the service answer UNAVAILABLE promptly; Lettuce still reconnects in the
     * background, so the service recovers by itself.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.lettuce.core.RedisClient")
    static class FailFastRedisClient {

        @Bean
        @ConditionalOnMissingBean
        io.recsys.servicekit.redis.RedisLink redisLink(
                org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory factory,
                RedisReplicationProperties replication) {
            return new io.recsys.servicekit.redis.RedisLink(factory, replication);
        }

        @Bean
        @ConditionalOnMissingBean
        io.recsys.servicekit.redis.RedisServerMetrics redisServerMetrics(
                io.recsys.servicekit.redis.RedisLink link,
                @Value("${recsys.redis.server-metrics.every:10s}") Duration every) {
            return new io.recsys.servicekit.redis.RedisServerMetrics(link, every);
        }

        /**
         * On a Redis Cluster, the client also follows the topology: at once when a command is redirected (a failover, a
         * slot moved) and every {@code spring.data.redis.lettuce.cluster.refresh.period} (default here 10 s) anyway.
         * Applied to the options Spring Boot builds, so that what it put there stays: the TLS trust of an SSL bundle
         * ({@code spring.data.redis.ssl.bundle}) above all, which options made afresh would drop.
         */
        @Bean
        LettuceClientOptionsBuilderCustomizer failFastWhileDisconnected(
                @Value("${spring.data.redis.connect-timeout:1s}") Duration connectTimeout,
                @Value("${spring.data.redis.lettuce.cluster.refresh.period:10s}") Duration refreshPeriod) {
            return options -> {
                options.autoReconnect(true)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .socketOptions(SocketOptions.builder()
                                .connectTimeout(connectTimeout)
                                .keepAlive(true)
                                .build())
                        .timeoutOptions(TimeoutOptions.enabled());
                if (options instanceof ClusterClientOptions.Builder cluster) {
                    cluster.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enableAllAdaptiveRefreshTriggers()
                            .enablePeriodicRefresh(refreshPeriod)
                            .build());
                }
            };
        }
    }
}
