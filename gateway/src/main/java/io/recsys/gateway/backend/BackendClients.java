package io.recsys.gateway.backend;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.client.GrpcChannelFactory;

import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import io.recsys.contracts.recommend.v1.RecommendationServiceGrpc;

/** Channels are configured under {@code spring.grpc.client.channel.<service>}. */
@Configuration(proxyBeanMethods = false)
class BackendClients {

    @Bean
    RecommendationServiceGrpc.RecommendationServiceStub recommendationService(GrpcChannelFactory channels) {
        return RecommendationServiceGrpc.newStub(channels.createChannel("recommendation-service"));
    }

    @Bean
    IngestionServiceGrpc.IngestionServiceStub ingestionService(GrpcChannelFactory channels) {
        return IngestionServiceGrpc.newStub(channels.createChannel("ingestion-service"));
    }
}
