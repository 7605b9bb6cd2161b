package io.recsys.gateway.limits;

import io.recsys.gateway.auth.ApiKeyAuthentication;
import io.recsys.gateway.auth.ApiKeyProperties;
import java.net.InetSocketAddress;
import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Whose bucket a request draws from: the client its API key names; on an open API (no keys configured), each caller
 * address is a bucket of its own, so one anonymous caller cannot starve the others either.
 */
@Component
public class ClientKeyResolver implements KeyResolver {

    /** Separates an anonymous bucket's client from its caller address. */
    static final char ADDRESS_SEPARATOR = '/';

    @Override
    public Mono<String> resolve(ServerWebExchange exchange) {
        return Mono.justOrEmpty(ApiKeyAuthentication.clientOf(exchange).map(client -> {
            if (!client.equals(ApiKeyProperties.ANONYMOUS_CLIENT)) {
                return client;
            }
            InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
            String address = remote == null || remote.getAddress() == null
                    ? "unknown"
                    : remote.getAddress().getHostAddress();
            return client + ADDRESS_SEPARATOR + address;
        }));
    }

    /** The client of a bucket key made here. */
    static String clientOf(String key) {
        int separator = key.indexOf(ADDRESS_SEPARATOR);
        return separator < 0 ? key : key.substring(0, separator);
    }
}
