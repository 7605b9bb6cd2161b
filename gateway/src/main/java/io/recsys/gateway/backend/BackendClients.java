package io.recsys.gateway.backend;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import io.recsys.contracts.recommend.v1.RecommendationServiceGrpc;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.client.GrpcChannelBuilderCustomizer;
import org.springframework.grpc.client.GrpcChannelFactory;

/** Channels are configured under {@code spring.grpc.client.channel.<service>}. */
@Configuration(proxyBeanMethods = false)
class BackendClients {

    @Bean
    RecommendationServiceGrpc.RecommendationServiceStub recommendationService(GrpcChannelFactory channels) {
        return RecommendationServiceGrpc.newStub(connected(channels, "recommendation-service"));
    }

    @Bean
    IngestionServiceGrpc.IngestionServiceStub ingestionService(GrpcChannelFactory channels) {
        return IngestionServiceGrpc.newStub(connected(channels, "ingestion-service"));
    }

    // A reply only completes a Mono (WebFlux then writes it out on its own connection), so it is handled on the
    // channel's event loop: no hand-off to a gRPC executor thread and back, one thread wake-up less per request.
    @Bean
    <T extends ManagedChannelBuilder<T>> GrpcChannelBuilderCustomizer<T> repliesOnTheEventLoop() {
        return (name, builder) -> builder.directExecutor();
    }

    // connect at start-up, so that the first shopper's request does not pay for the connection
    static ManagedChannel connected(GrpcChannelFactory channels, String name) {
        ManagedChannel channel = channels.createChannel(name);
        channel.getState(true);
        return channel;
    }
}
