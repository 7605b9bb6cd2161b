package io.recsys.recommendation.recommend;

import io.micrometer.core.instrument.MeterRegistry;
import io.recsys.recommendation.degradation.DepthController;
import io.recsys.recommendation.degradation.DepthProperties;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class PipelineConfiguration {

    @Bean
    DepthController depthController(DepthProperties properties, Clock clock, MeterRegistry meters) {
        return new DepthController(properties, clock, meters);
    }
}
