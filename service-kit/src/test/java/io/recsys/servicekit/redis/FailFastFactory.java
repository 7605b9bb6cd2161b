package io.recsys.servicekit.redis;

import io.lettuce.core.ClientOptions;
import java.time.Duration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** A started Lettuce factory for a test's Redis, failing fast while disconnected as the services' client does. */
final class FailFastFactory {

    private FailFastFactory() {}

    static LettuceConnectionFactory connect(String host, int port) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(host, port),
                LettuceClientConfiguration.builder()
                        .commandTimeout(Duration.ofMillis(500))
                        .clientOptions(ClientOptions.builder()
                                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                                .build())
                        .build());
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }
}
