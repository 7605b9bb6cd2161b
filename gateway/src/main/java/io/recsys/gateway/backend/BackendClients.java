package io.recsys.gateway.backend;

import io.grpc.ManagedChannel;
import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import io.recsys.contracts.recommend.v1.RecommendationServiceGrpc;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
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

    // connect at start-up, so that the first shopper's request does not pay for the connection
    static ManagedChannel connected(GrpcChannelFactory channels, String name) {
        ManagedChannel channel = channels.createChannel(name);
        channel.getState(true);
        return channel;
    }
}
