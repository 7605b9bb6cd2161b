package io.recsys.recommendation.recommend;

import io.micrometer.core.instrument.MeterRegistry;
import io.recsys.recommendation.degradation.DepthController;
import io.recsys.recommendation.degradation.DepthProperties;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class PipelineConfiguration {

    /** Candidate sources run in parallel on virtual threads: they only wait on gRPC. */
    @Bean(destroyMethod = "close")
    ExecutorService pipelineExecutor() {
        return Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("pipeline-", 0).factory());
    }

    @Bean
    DepthController depthController(DepthProperties properties, Clock clock, MeterRegistry meters) {
        return new DepthController(properties, clock, meters);
    }
}
