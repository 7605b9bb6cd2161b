package io.recsys.inference.serving;

import io.recsys.contracts.inference.v1.ModelInfo;
import io.recsys.contracts.inference.v1.ModelState;
import io.recsys.inference.grpc.ModelInfos;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Health detail "model": which version serves on which device, and why the last load failed if it did. */
@Component("model")
public class ModelHealthIndicator implements HealthIndicator {

    private final ModelInfos modelInfos;

    public ModelHealthIndicator(ModelInfos modelInfos) {
        this.modelInfos = modelInfos;
    }

    @Override
    public Health health() {
        ModelInfo info = modelInfos.current();
        Health.Builder health = info.getState() == ModelState.MODEL_STATE_SERVING ? Health.up() : Health.unknown();
        health.withDetail("state", info.getState().name().substring("MODEL_STATE_".length()))
                .withDetail("device", info.getDevice());
        if (!info.getVersion().isEmpty()) {
            health.withDetail("name", info.getName()).withDetail("version", info.getVersion());
        }
        if (!info.getLastError().isEmpty()) {
            health.withDetail("lastError", info.getLastError());
        }
        return health.build();
    }
}
