package io.recsys.testsupport;

import java.net.URI;

/** One way of having a Redis for tests. */
interface RedisBackend extends AutoCloseable {

    String host();

    int port();

    String description();

    void interrupt();

    void resume();

    @Override
    void close();

    static RedisBackend external(String url) {
        URI uri = URI.create(url.contains("://") ? url : "redis://" + url);
        return new RedisBackend() {
            @Override
            public String host() {
                return uri.getHost();
            }

            @Override
            public int port() {
                return uri.getPort() > 0 ? uri.getPort() : 6379;
            }

            @Override
            public String description() {
                return "external " + uri;
            }

            @Override
            public void interrupt() {
                throw new UnsupportedOperationException("cannot stop an external Redis");
            }

            @Override
            public void resume() {
                throw new UnsupportedOperationException("cannot restart an external Redis");
            }

            @Override
            public void close() {}
        };
    }
}
