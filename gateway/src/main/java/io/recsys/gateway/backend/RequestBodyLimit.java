package io.recsys.gateway.backend;

import org.springframework.boot.http.codec.CodecCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The decoders buffer no more of a body than the edge accepts: one limit, {@code recsys.gateway.max-request-size}. */
@Configuration(proxyBeanMethods = false)
class RequestBodyLimit {

    @Bean
    CodecCustomizer bufferNoMoreThanTheEdgeAccepts(GatewayProperties properties) {
        return codecs -> codecs.defaultCodecs()
                .maxInMemorySize(Math.toIntExact(properties.maxRequestSize().toBytes()));
    }
}
