package io.recsys.recommendation.features;

import io.grpc.ManagedChannel;
import io.recsys.contracts.features.v1.FeatureServiceGrpc;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.client.GrpcChannelFactory;

/** The channel is configured under {@code spring.grpc.client.channel.feature-service}. */
@Configuration(proxyBeanMethods = false)
class FeatureClientConfiguration {

    @Bean
    FeatureServiceGrpc.FeatureServiceBlockingStub featureServiceStub(GrpcChannelFactory channels) {
        ManagedChannel channel = channels.createChannel("feature-service");
        // connect at start-up, so that the first request does not pay for the connection
        channel.getState(true);
        return FeatureServiceGrpc.newBlockingStub(channel);
    }
}
