package io.recsys.recommendation.inference;

import io.grpc.ManagedChannel;
import io.recsys.contracts.inference.v1.InferenceServiceGrpc;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.client.GrpcChannelFactory;

/** The channel is configured under {@code spring.grpc.client.channel.inference-service}. */
@Configuration(proxyBeanMethods = false)
class InferenceClientConfiguration {

    @Bean
    InferenceServiceGrpc.InferenceServiceBlockingStub inferenceServiceStub(GrpcChannelFactory channels) {
        ManagedChannel channel = channels.createChannel("inference-service");
        channel.getState(true); // connect at start-up
        return InferenceServiceGrpc.newBlockingStub(channel);
    }
}
