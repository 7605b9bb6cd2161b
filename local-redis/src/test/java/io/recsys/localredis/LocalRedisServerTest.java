package io.recsys.localredis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalRedisServerTest {

    @Test
    void embeddedBinaryStartsAnswersAndStopsWithoutInstallation() throws Exception {
        try (LocalRedisServer server = LocalRedisServer.start(RedisBinary.embedded(), 0)) {
            assertThat(LocalRedisServer.ping(server.host(), server.port())).isTrue();

            server.stop();
            assertThat(LocalRedisServer.ping(server.host(), server.port())).isFalse();

            server.restart();
            assertThat(LocalRedisServer.ping(server.host(), server.port())).isTrue();
        }
    }

    @Test
    void pingFailsWhereNothingListens() throws Exception {
        assertThat(LocalRedisServer.ping("127.0.0.1", LocalRedisServer.freePort()))
                .isFalse();
    }
}
