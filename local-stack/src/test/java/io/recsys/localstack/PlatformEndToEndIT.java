package io.recsys.localstack;

/** {@link PlatformEndToEndScenario} on one Redis, the embedded default of {@code ./recsys start}. */
class PlatformEndToEndIT extends PlatformEndToEndScenario {

    @Override
    StackRedis redis() {
        return new StackRedis.Embedded();
    }

    @Override
    void redisDown() {
        stack.redis().orElseThrow().stop();
    }

    @Override
    void redisUp() throws Exception {
        stack.redis().orElseThrow().restart();
    }
}
