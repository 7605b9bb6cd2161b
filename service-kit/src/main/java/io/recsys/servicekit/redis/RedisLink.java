package io.recsys.servicekit.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.ArrayOutput;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceExceptionConverter;

/**
 * The hot path to Redis: one shared Lettuce connection (the client Spring configured, with its fail-fast options) on
 * which a whole batch of commands is written in a single flush. Spring's template costs tens of microseconds per
 * command; this costs about one. Failures surface as Spring's {@link DataAccessException}s, like the template's.
 */
public class RedisLink implements DisposableBean {

    private static final LettuceExceptionConverter EXCEPTIONS = new LettuceExceptionConverter();

    private final LettuceConnectionFactory factory;
    private final Duration timeout;
    private final int replicaAcks;
    private final Duration replicaAckTimeout;
    private StatefulConnection<String, String> connection;
    private RedisClusterAsyncCommands<String, String> commands;

    /** A link that never waits for replicas. */
    public RedisLink(LettuceConnectionFactory factory) {
        this(factory, 0, Duration.ZERO);
    }

    public RedisLink(LettuceConnectionFactory factory, RedisReplicationProperties replication) {
        this(factory, replication.replicaAcks(), replication.replicaAckTimeout());
    }

    private RedisLink(LettuceConnectionFactory factory, int replicaAcks, Duration replicaAckTimeout) {
        this.factory = factory;
        this.timeout = factory.getClientConfiguration().getCommandTimeout();
        this.replicaAcks = replicaAcks;
        this.replicaAckTimeout = replicaAckTimeout;
    }

    /** How long any Redis command may take before the client gives up on it. */
    public Duration commandTimeout() {
        return timeout;
    }

    /** Sends all commands in one write and waits for every reply; failures become {@link DataAccessException}s. */
    public void run(List<? extends AsyncCommand<String, String, ?>> commands) {
        if (commands.isEmpty()) {
            return;
        }
        connection().dispatch(commands);
        awaitAll(commands);
    }

    /**
     * Returns once {@code recsys.redis.replica-acks} replicas of every master holding one of {@code keys} have received
     * every write this link sent it so far (at once when none are asked for, without computing the keys); else a
     * {@link QueryTimeoutException}. Call it after the writes' replies: {@code WAIT} counts the writes of the
     * connection it is sent on, which is why it goes to each master on the very connection that carried the writes.
     */
    public void awaitReplicas(Supplier<? extends Collection<String>> keys) {
        if (replicaAcks == 0) {
            return;
        }
        Collection<String> written = keys.get();
        if (written.isEmpty()) {
            return;
        }
        List<RedisFuture<Long>> waits = new ArrayList<>();
        if (connection() instanceof StatefulRedisClusterConnection<String, String> cluster) {
            Set<RedisClusterNode> masters = new LinkedHashSet<>();
            for (String key : written) {
                masters.add(masterOf(cluster, key)
                        .orElseThrow(() -> new QueryTimeoutException("no master serves the slot of " + key + " now")));
            }
            for (RedisClusterNode master : masters) {
                // the connection Lettuce routes that master's slots to (keyed by host and port, like its slot writers)
                waits.add(cluster.getConnection(
                                master.getUri().getHost(), master.getUri().getPort())
                        .async()
                        .waitForReplication(replicaAcks, replicaAckTimeout.toMillis()));
            }
        } else {
            waits.add(commands().waitForReplication(replicaAcks, replicaAckTimeout.toMillis()));
        }
        awaitAll(waits);
        for (RedisFuture<Long> wait : waits) {
            long confirmed = wait.toCompletableFuture().join();
            if (confirmed < replicaAcks) {
                throw new QueryTimeoutException("only " + confirmed + " of " + replicaAcks
                        + " replicas confirmed the writes within " + replicaAckTimeout);
            }
        }
    }

    /** One command of Lettuce's own API, with the same timeout and error translation. */
    public <T> T call(java.util.function.Function<RedisClusterAsyncCommands<String, String>, RedisFuture<T>> command) {
        RedisFuture<T> reply = command.apply(commands());
        awaitAll(List.of(reply));
        return reply.toCompletableFuture().join();
    }

    /** Several commands of Lettuce's own API, sent back to back (pipelined); the replies in order. */
    public <T> List<T> callAll(
            List<java.util.function.Function<RedisClusterAsyncCommands<String, String>, RedisFuture<T>>> commands) {
        RedisClusterAsyncCommands<String, String> async = commands();
        List<RedisFuture<T>> replies = new java.util.ArrayList<>(commands.size());
        commands.forEach(command -> replies.add(command.apply(async)));
        awaitAll(replies);
        return replies.stream().map(reply -> reply.toCompletableFuture().join()).toList();
    }

    // One deadline for all replies; what does not answer in time is cancelled. The last reply is awaited first: a
    // connection answers in order, so the others are complete by then, and the caller is woken once per batch rather
    // than once per reply.
    private void awaitAll(List<? extends Future<?>> replies) {
        if (replies.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            replies.getLast().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            for (Future<?> reply : replies) {
                reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException e) {
            throw translate(e.getCause());
        } catch (TimeoutException e) {
            replies.forEach(r -> r.cancel(false));
            throw new QueryTimeoutException("Redis did not answer within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryTimeoutException("interrupted while waiting for Redis", e);
        }
    }

    /**
     * Runs a script that answers an integer. EVAL rather than EVALSHA: the text is small beside a batch's arguments,
     * and it survives a Redis restart (which forgets loaded scripts) without a retry.
     */
    public Long evalForLong(LuaScript script, List<String> keys, List<String> args) {
        return run(async(
                new Command<>(CommandType.EVAL, new IntegerOutput<>(StringCodec.UTF8), evalArgs(script, keys, args))));
    }

    /** Runs a script that answers an array. */
    public List<Object> evalForList(LuaScript script, List<String> keys, List<String> args) {
        return run(async(
                new Command<>(CommandType.EVAL, new ArrayOutput<>(StringCodec.UTF8), evalArgs(script, keys, args))));
    }

    /** A script call to send with {@link #run(List)} among others; its reply lands in {@code output}. */
    public static <T> AsyncCommand<String, String, T> eval(
            LuaScript script, List<String> keys, List<String> args, CommandOutput<String, String, T> output) {
        return async(new Command<>(CommandType.EVAL, output, evalArgs(script, keys, args)));
    }

    private static CommandArgs<String, String> evalArgs(LuaScript script, List<String> keys, List<String> args) {
        return new CommandArgs<>(StringCodec.UTF8)
                .add(script.text())
                .add(keys.size())
                .addKeys(keys)
                .addValues(args);
    }

    public <T> T run(AsyncCommand<String, String, T> command) {
        run(List.of(command));
        return command.getOutput().get();
    }

    public static <T> AsyncCommand<String, String, T> async(RedisCommand<String, String, T> command) {
        return new AsyncCommand<>(command);
    }

    /**
     * Which Redis node serves {@code key}: its master's node id in a Redis Cluster, "" on a single Redis. Commands for
     * keys of one node may go in one script (declared {@code allow-cross-slot-keys}).
     */
    public String nodeOf(String key) {
        if (connection() instanceof StatefulRedisClusterConnection<String, String> cluster) {
            return masterOf(cluster, key).map(RedisClusterNode::getNodeId).orElse("");
        }
        return "";
    }

    /** The master serving {@code key}'s slot, as the client knows the topology now. */
    private static Optional<RedisClusterNode> masterOf(
            StatefulRedisClusterConnection<String, String> cluster, String key) {
        return Optional.ofNullable(cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(key)));
    }

    private synchronized RedisClusterAsyncCommands<String, String> commands() {
        connection();
        return commands;
    }

    private synchronized StatefulConnection<String, String> connection() {
        if (connection == null) {
            try {
                if (factory.getRequiredNativeClient() instanceof RedisClusterClient cluster) {
                    StatefulRedisClusterConnection<String, String> clustered = cluster.connect(StringCodec.UTF8);
                    clustered.setTimeout(timeout);
                    commands = clustered.async();
                    connection = clustered;
                } else {
                    RedisURI uri = uriOf(factory, timeout);
                    StatefulRedisConnection<String, String> single =
                            ((RedisClient) factory.getRequiredNativeClient()).connect(StringCodec.UTF8, uri);
                    commands = single.async();
                    connection = single;
                }
            } catch (RuntimeException e) {
                throw translate(e);
            }
        }
        return connection;
    }

    /**
     * The address, credentials and transport Spring's factory connects with, so the hot path reaches the same Redis the
     * same way: a Sentinel-watched master or a standalone one, the ACL user and password, the database, TLS with its
     * peer verification (the truststore is the client's, which Spring configured) and the client name. The cluster
     * client carries its own node addresses.
     */
    static RedisURI uriOf(LettuceConnectionFactory factory, Duration timeout) {
        LettuceClientConfiguration client = factory.getClientConfiguration();
        RedisSentinelConfiguration sentinels = factory.getSentinelConfiguration();
        RedisURI.Builder builder;
        RedisConfiguration.WithAuthentication auth;
        if (sentinels != null) {
            builder = RedisURI.builder();
            for (RedisNode sentinel : sentinels.getSentinels()) {
                RedisURI.Builder one = RedisURI.Builder.redis(sentinel.getRequiredHost(), sentinel.getRequiredPort());
                RedisPassword sentinelPassword = sentinels.getSentinelPassword();
                if (sentinelPassword.isPresent() && sentinels.getSentinelUsername() != null) {
                    one.withAuthentication(sentinels.getSentinelUsername(), sentinelPassword.get());
                } else if (sentinelPassword.isPresent()) {
                    one.withPassword(sentinelPassword.get());
                }
                builder.withSentinel(one.build());
            }
            builder.withSentinelMasterId(sentinels.getMaster().getName());
            builder.withDatabase(sentinels.getDatabase());
            auth = sentinels;
        } else {
            RedisStandaloneConfiguration standalone = factory.getStandaloneConfiguration();
            builder = RedisURI.builder()
                    .withHost(standalone.getHostName())
                    .withPort(standalone.getPort())
                    .withDatabase(standalone.getDatabase());
            auth = standalone;
        }
        RedisPassword password = auth.getPassword();
        if (password.isPresent()) {
            if (auth.getUsername() != null) {
                builder.withAuthentication(auth.getUsername(), password.get());
            } else {
                builder.withPassword(password.get());
            }
        }
        if (client.isUseSsl()) {
            builder.withSsl(true).withStartTls(client.isStartTls()).withVerifyPeer(client.getVerifyMode());
        }
        client.getClientName().ifPresent(builder::withClientName);
        return builder.withTimeout(timeout).build();
    }

    private static DataAccessException translate(Throwable error) {
        if (error instanceof DataAccessException e) {
            return e;
        }
        if (error instanceof Exception e) {
            DataAccessException translated = EXCEPTIONS.convert(e);
            if (translated != null) {
                return translated;
            }
        }
        return new RedisSystemException("Redis failed: " + error, error);
    }

    @Override
    public synchronized void destroy() {
        if (connection != null) {
            connection.close();
        }
    }
}
