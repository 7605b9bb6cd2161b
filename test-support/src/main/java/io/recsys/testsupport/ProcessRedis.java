package io.recsys.testsupport;

import io.recsys.localredis.LocalRedisServer;
import io.recsys.localredis.RedisBinary;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A redis-server child process: the installed binary when there is one, else the embedded one. */
final class ProcessRedis implements RedisBackend {

    private final LocalRedisServer server;

    private ProcessRedis(LocalRedisServer server) {
        this.server = server;
    }

    static ProcessRedis start() throws IOException {
        return new ProcessRedis(LocalRedisServer.start(RedisBinary.locate(), 0));
    }

    @Override
    public String host() {
        return server.host();
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public String description() {
        return "redis-server process, " + server.binary().description();
    }

    @Override
    public void interrupt() {
        server.stop();
    }

    @Override
    public void resume() {
        try {
            server.restart();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
