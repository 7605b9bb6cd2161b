package io.recsys.inference.serving;

import io.micrometer.core.instrument.MeterRegistry;
import io.recsys.inference.batching.RankBatcher;
import io.recsys.inference.config.InferenceProperties;
import io.recsys.inference.model.LoadedModel;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ServingConfiguration {

    @Bean(destroyMethod = "close")
    RankBatcher<LoadedModel> rankBatcher(InferenceProperties properties, MeterRegistry meters) {
        InferenceProperties.Batching batching = properties.batching();
        return new RankBatcher<>(
                LoadedModel::score,
                new RankBatcher.Settings(
                        batching.maxBatchRows(), batching.maxWait(), batching.maxQueuedRows(), batching.workerCount()),
                meters);
    }
}
