package io.recsys.servicekit.redis;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * What the Redis server itself says of its memory and persistence ({@code INFO}), polled every {@code every} and
 * exported beside the service's own metrics (Spring binds it to the registry), so that an alert fires before Redis
 * refuses writes (memory at {@code maxmemory}) or while it cannot persist what it acknowledges (a failing append-only
 * file write or rewrite):
 *
 * <ul>
 *   <li>{@code recsys.redis.memory.used}, {@code recsys.redis.memory.max} (bytes; max 0: no limit);
 *   <li>{@code recsys.redis.persistence.failing{operation=aof_write|aof_rewrite|rdb_save}}: 1 while the last such
 *       operation failed;
 *   <li>{@code recsys.redis.info.failures}: polls that got no answer (the gauges then keep their last values).
 * </ul>
 *
 * On a Redis Cluster the answer is that of the node the client's default connection reaches; watch each node with the
 * cluster's own exporter there.
 */
public class RedisServerMetrics implements MeterBinder, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RedisServerMetrics.class);

    private final RedisLink link;
    private final Duration every;
    private final AtomicLong usedMemory = new AtomicLong();
    private final AtomicLong maxMemory = new AtomicLong();
    private final AtomicLong aofWriteFailing = new AtomicLong();
    private final AtomicLong aofRewriteFailing = new AtomicLong();
    private final AtomicLong rdbSaveFailing = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private ScheduledExecutorService poller;
    private ScheduledFuture<?> polling;

    public RedisServerMetrics(RedisLink link, Duration every) {
        this.link = link;
        this.every = every;
    }

    @Override
    public void bindTo(MeterRegistry meters) {
        Gauge.builder("recsys.redis.memory.used", usedMemory, AtomicLong::get)
                .baseUnit("bytes")
                .description("memory Redis uses (INFO used_memory)")
                .register(meters);
        Gauge.builder("recsys.redis.memory.max", maxMemory, AtomicLong::get)
                .baseUnit("bytes")
                .description("Redis's maxmemory; 0: no limit")
                .register(meters);
        failing(meters, "aof_write", aofWriteFailing);
        failing(meters, "aof_rewrite", aofRewriteFailing);
        failing(meters, "rdb_save", rdbSaveFailing);
        FunctionCounter.builder("recsys.redis.info.failures", failures, AtomicLong::get)
                .description("polls of Redis's INFO that got no answer")
                .register(meters);
    }

    private static void failing(MeterRegistry meters, String operation, AtomicLong value) {
        Gauge.builder("recsys.redis.persistence.failing", value, AtomicLong::get)
                .description("1 while Redis's last persistence operation of this kind failed")
                .tag("operation", operation)
                .register(meters);
    }

    /** One poll: reads INFO and updates the gauges; a failure is counted, never thrown. */
    public void poll() {
        try {
            record(parse(link.call(commands -> commands.info())));
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            log.debug("Redis INFO failed: {}", e.toString());
        }
    }

    void record(Map<String, String> info) {
        usedMemory.set(number(info, "used_memory"));
        maxMemory.set(number(info, "maxmemory"));
        aofWriteFailing.set(failed(info, "aof_last_write_status"));
        aofRewriteFailing.set(failed(info, "aof_last_bgrewrite_status"));
        rdbSaveFailing.set(failed(info, "rdb_last_bgsave_status"));
    }

    static Map<String, String> parse(String info) {
        Map<String, String> fields = new HashMap<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return fields;
    }

    private static long number(Map<String, String> info, String field) {
        String value = info.get(field);
        return value == null ? 0 : Long.parseLong(value);
    }

    // a status Redis does not report (an older server, persistence off) is not a failure
    private static long failed(Map<String, String> info, String field) {
        String status = info.get(field);
        return status == null || status.equals("ok") ? 0 : 1;
    }

    @Override
    public synchronized void start() {
        poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "redis-server-metrics");
            thread.setDaemon(true);
            return thread;
        });
        polling = poller.scheduleWithFixedDelay(this::poll, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (poller != null) {
            polling.cancel(true);
            poller.shutdownNow();
            poller = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return poller != null;
    }
}
