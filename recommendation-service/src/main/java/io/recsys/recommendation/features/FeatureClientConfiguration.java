package io.recsys.recommendation.features;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.client.GrpcChannelFactory;

import io.recsys.contracts.features.v1.FeatureServiceGrpc;

/** The channel is configured under {@code spring.grpc.client.channel.feature-service}. */
@Configuration(proxyBeanMethods = false)
class FeatureClientConfiguration {

    @Bean
    FeatureServiceGrpc.FeatureServiceBlockingStub featureServiceStub(GrpcChannelFactory channels) {
        return FeatureServiceGrpc.newBlockingStub(channels.createChannel("feature-service"));
    }
}
