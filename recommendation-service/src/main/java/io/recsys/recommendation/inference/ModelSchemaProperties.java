package io.recsys.recommendation.inference;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the model's feature schema is kept: asked on first use, then again in the background.
 *
 * @param refresh how often it is asked again (a new model version may take other features)
 * @param timeout longest wait for the answer
 */
@Validated
@ConfigurationProperties("recsys.recommendation.model-schema")
public record ModelSchemaProperties(
        @DefaultValue("5s") @NotNull Duration refresh,
        @DefaultValue("200ms") @NotNull Duration timeout) {}
