package io.recsys.inference;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class InferenceServiceApplication {

    public static void main(String[] args) {
        // everything the engine needs ships in the jars: never reach for the network at run time
        System.setProperty("ai.djl.offline", "true");
        SpringApplication.run(InferenceServiceApplication.class, args);
    }
}
