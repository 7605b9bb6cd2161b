package io.recsys.inference.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What the inference-service serves and how.
 *
 * @param modelDir directory holding {@code <name>/<version>/} bundles
 * @param modelName which bundle name to serve
 * @param pinnedVersion serve exactly this version (roll back or hold); empty: the newest that loads
 * @param pollInterval how often the model directory is checked for new versions
 * @param device {@code auto} (GPU when ONNX Runtime has CUDA and a GPU is present), {@code cpu} or {@code gpu}
 * @param maxCandidates most candidates one Rank call may carry
 * @param maxRetrieveK largest top_k one Retrieve call may ask for
 * @param batching how Rank calls are merged into model batches
 */
@Validated
@ConfigurationProperties(InferenceProperties.PREFIX)
public record InferenceProperties(
        @DefaultValue("models") @NotNull Path modelDir,
        @DefaultValue("demo") @NotBlank String modelName,
        Optional<String> pinnedVersion,
        @DefaultValue("2s") @NotNull Duration pollInterval,
        @DefaultValue("auto") @NotNull DeviceChoice device,
        @DefaultValue("1000") @Min(1) @Max(100_000) int maxCandidates,
        @DefaultValue("1000") @Min(1) @Max(100_000) int maxRetrieveK,
        @DefaultValue @Valid @NotNull Batching batching) {

    public static final String PREFIX = "recsys.inference";

    public InferenceProperties {
        pinnedVersion = pinnedVersion == null ? Optional.empty() : pinnedVersion.filter(v -> !v.isBlank());
    }

    public enum DeviceChoice {
        AUTO,
        CPU,
        GPU
    }

    /**
     * @param maxBatchRows a batch closes when it holds this many rows (one larger request runs alone)
     * @param maxWait or when its first request has waited this long
     * @param maxQueuedRows rows waiting beyond this are refused at once (RESOURCE_EXHAUSTED)
     * @param workers model runners, each with its own predictor and one ONNX Runtime thread; 0: one per core
     * @param retryAfterQueueFull the retry hint a refused caller gets
     */
    public record Batching(
            @DefaultValue("1024") @Min(1) @Max(1_000_000) int maxBatchRows,
            @DefaultValue("500us") @NotNull Duration maxWait,
            @DefaultValue("32768") @Min(1) int maxQueuedRows,
            @DefaultValue("0") @Min(0) @Max(256) int workers,
            @DefaultValue("50ms") @NotNull Duration retryAfterQueueFull) {

        public int workerCount() {
            return workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
        }
    }
}
