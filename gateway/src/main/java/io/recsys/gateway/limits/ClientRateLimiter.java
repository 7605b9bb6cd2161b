package io.recsys.gateway.limits;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.cloud.gateway.filter.ratelimit.RateLimiter;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The {@link RateLimiter} behind the routes' {@code RequestRateLimiter} filter: Spring Cloud Gateway's Redis token
 * bucket (its {@code request_rate_limiter.lua}, one script call per request, on Redis' clock), with a limit per client
 * instead of one per route, and the answer's headers in the IETF {@code RateLimit} draft's form plus
 * {@code Retry-After} on a refusal.
 */
@Primary
@Component
public class ClientRateLimiter implements RateLimiter<Object> {

    /** The policy's name in the {@code RateLimit} and {@code RateLimit-Policy} headers. */
    public static final String POLICY = "per-client";

    public static final String RATE_LIMIT_HEADER = "RateLimit";
    public static final String RATE_LIMIT_POLICY_HEADER = "RateLimit-Policy";

    private static final Logger log = LoggerFactory.getLogger(ClientRateLimiter.class);
    private static final Response ALLOWED_UNCOUNTED = new Response(true, Map.of());

    private final ReactiveStringRedisTemplate redis;
    private final RedisScript<List<Long>> tokenBucket;
    private final RateLimitProperties properties;
    private final MeterRegistry meters;
    private final Counter failures;
    private final Map<String, Counter> rejections = new ConcurrentHashMap<>();

    public ClientRateLimiter(
            ReactiveStringRedisTemplate redis,
            @Qualifier("redisRequestRateLimiterScript") RedisScript<List<Long>> tokenBucket,
            RateLimitProperties properties,
            MeterRegistry meters) {
        this.redis = redis;
        this.tokenBucket = tokenBucket;
        this.properties = properties;
        this.meters = meters;
        this.failures = Counter.builder("recsys.gateway.rate_limit.failures")
                .description("bucket lookups that failed or timed out; the request was let through")
                .register(meters);
    }

    @Override
    public Mono<Response> isAllowed(String routeId, String key) {
        if (!properties.enabled()) {
            return Mono.just(ALLOWED_UNCOUNTED);
        }
        String client = ClientKeyResolver.clientOf(key);
        RateLimitProperties.Limit limit = properties.limitOf(client);
        return redis.execute(
                        tokenBucket,
                        RateLimitKeys.of(key),
                        List.of(
                                Integer.toString(limit.requestsPerSecond()),
                                Integer.toString(limit.burst()),
                                // empty: the script reads Redis' clock, one clock for every gateway replica
                                "",
                                "1"))
                .next()
                .timeout(properties.redisTimeout())
                .map(reply -> answer(reply.get(0) == 1L, reply.get(1), limit, client))
                .onErrorResume(e -> {
                    failures.increment();
                    log.debug("rate-limit bucket of {} not read; letting the request through", client, e);
                    return Mono.just(ALLOWED_UNCOUNTED);
                });
    }

    private Response answer(boolean allowed, long remaining, RateLimitProperties.Limit limit, String client) {
        int rate = limit.requestsPerSecond();
        Map<String, String> headers = new HashMap<>();
        headers.put(
                RATE_LIMIT_POLICY_HEADER,
                "\"" + POLICY + "\";q=" + limit.burst() + ";w=" + ceilDiv(limit.burst(), rate));
        headers.put(
                RATE_LIMIT_HEADER,
                "\"" + POLICY + "\";r=" + remaining + ";t=" + ceilDiv(limit.burst() - remaining, rate));
        if (!allowed) {
            // the bucket refills every second on Redis' clock: one token, the next request, is that far away
            headers.put(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, ceilDiv(1 - remaining, rate))));
            rejections
                    .computeIfAbsent(
                            client,
                            name -> Counter.builder("recsys.gateway.rate_limit.rejections")
                                    .tag("client", name)
                                    .description("requests refused with 429 for exceeding the client's limit")
                                    .register(meters))
                    .increment();
        }
        return new Response(allowed, headers);
    }

    private static long ceilDiv(long amount, int rate) {
        return amount <= 0 ? 0 : (amount + rate - 1) / rate;
    }

    @Override
    public Map<String, Object> getConfig() {
        // limits come from RateLimitProperties, not from route arguments
        return Map.of();
    }

    @Override
    public Class<Object> getConfigClass() {
        return Object.class;
    }

    @Override
    public Object newConfig() {
        return new Object();
    }
}
