package io.recsys.servicekit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.servicekit.eventlog.EventLogProperties;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What every service of the platform shares. */
@AutoConfiguration
@EnableConfigurationProperties(EventLogProperties.class)
public class ServiceKitAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    EventLogPartitions eventLogPartitions(EventLogProperties properties) {
        return properties.layout();
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
                org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory factory) {
            return new io.recsys.servicekit.redis.RedisLink(factory);
        }

        @Bean
        LettuceClientConfigurationBuilderCustomizer failFastWhileDisconnected(
                @Value("${spring.data.redis.connect-timeout:1s}") Duration connectTimeout) {
            return builder -> builder.clientOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(SocketOptions.builder()
                            .connectTimeout(connectTimeout)
                            .keepAlive(true)
                            .build())
                    .timeoutOptions(TimeoutOptions.enabled())
                    .build());
        }
    }
}
