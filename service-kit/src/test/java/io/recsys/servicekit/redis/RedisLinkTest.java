package io.recsys.servicekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.recsys.testsupport.RealRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The hot-path link against a real Redis: batches, scripts, errors, timeouts and an outage. */
class RedisLinkTest {

    @RegisterExtension
    static final RealRedis redis = new RealRedis();

    private LettuceConnectionFactory factory;
    private RedisLink link;

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

    private static AsyncCommand<String, String, String> set(String key, String value) {
        return RedisLink.async(new Command<>(
                CommandType.SET,
                new StatusOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).addKey(key).addValue(value)));
    }

    private static AsyncCommand<String, String, String> get(String key) {
        return RedisLink.async(new Command<>(
                CommandType.GET, new ValueOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).addKey(key)));
    }

    @Test
    void aBatchIsWrittenAtOnceAndEveryReplyArrives() {
        List<AsyncCommand<String, String, String>> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(set("link:k" + i, "v" + i));
        }
        link.run(batch);

        assertThat(batch)
                .allSatisfy(command -> assertThat(command.getOutput().get()).isEqualTo("OK"));
        assertThat(link.run(get("link:k42"))).isEqualTo("v42");
        Long length = link.call(commands -> commands.strlen("link:k99"));
        assertThat(length).isEqualTo(3L);
        link.run(List.of()); // nothing to send is no error
    }

    @Test
    void scriptsAnswerIntegersAndArrays() {
        LuaScript count = new LuaScript("inline", "return redis.call('INCRBY', KEYS[1], ARGV[1])");
        LuaScript pair = new LuaScript("inline", "return {KEYS[1], ARGV[1]}");

        assertThat(link.evalForLong(count, List.of("link:counter"), List.of("5")))
                .isEqualTo(5L);
        assertThat(link.evalForLong(count, List.of("link:counter"), List.of("2")))
                .isEqualTo(7L);
        assertThat(link.evalForList(pair, List.of("a"), List.of("b"))).containsExactly("a", "b");
    }

    @Test
    void aCommandErrorAndATimeoutBecomeSpringsExceptions() {
        LuaScript broken = new LuaScript("inline", "return redis.call('NO_SUCH_COMMAND')");
        assertThatThrownBy(() -> link.evalForLong(broken, List.of(), List.of()))
                .isInstanceOf(DataAccessException.class);

        // BLPOP waits 5 s for an element that never comes; the link gives up after its 500 ms command timeout
        assertThatThrownBy(() -> link.call(commands -> commands.blpop(5, "link:never")))
                .isInstanceOf(QueryTimeoutException.class);
        assertThat(link.commandTimeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void writesThatNoReplicaConfirmsAreRefused() {
        // a Redis without replicas can never confirm: asked for one, the link gives up after the wait
        RedisLink confirming = new RedisLink(factory, new RedisReplicationProperties(1, Duration.ofMillis(100)));
        try {
            assertThat(confirming.run(set("link:unconfirmed", "1"))).isEqualTo("OK");
            assertThatThrownBy(() -> confirming.awaitReplicas(() -> List.of("link:unconfirmed")))
                    .isInstanceOf(QueryTimeoutException.class)
                    .hasMessageContaining("only 0 of 1 replicas");
        } finally {
            confirming.destroy();
        }
        link.awaitReplicas(() -> List.of("link:unconfirmed")); // none asked for: returns at once
    }

    @Test
    void anOutageFailsCallsAndTheLinkRecoversByItselfAfterwards() {
        assertThat(link.run(set("link:before", "1"))).isEqualTo("OK");
        redis.stop();
        try {
            assertThatThrownBy(() -> link.run(get("link:before"))).isInstanceOf(DataAccessException.class);
        } finally {
            redis.restart();
        }
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .ignoreExceptionsInstanceOf(DataAccessException.class)
                .until(() -> "OK".equals(link.run(set("link:after", "1"))));
    }
}
