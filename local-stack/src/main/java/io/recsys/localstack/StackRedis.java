package io.recsys.localstack;

/** Which Redis the local stack's services use. */
public sealed interface StackRedis {

    /** A redis-server started for the stack, without persistence (the default of {@code ./recsys start}). */
    record Embedded() implements StackRedis {}

    /**
     * A Redis Cluster started for the stack from the same binary: {@code masters} masters owning equal slot ranges,
     * each with {@code replicasPerMaster} replicas (then every write waits for one of them: {@code replica-acks=1}).
     */
    record EmbeddedCluster(int masters, int replicasPerMaster) implements StackRedis {
        public EmbeddedCluster {
            if (masters < 3 || replicasPerMaster < 0) {
                throw new IllegalArgumentException(
                        "a Redis Cluster needs at least 3 masters, got " + masters + " with " + replicasPerMaster);
            }
        }
    }

    /** An already running Redis at {@code url} ({@code redis://} or {@code rediss://}). */
    record External(String url) implements StackRedis {}
}
