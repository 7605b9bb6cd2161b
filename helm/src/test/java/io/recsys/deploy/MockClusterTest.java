package io.recsys.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rendered release applied to fabric8's Kubernetes mock API server (CRUD mode), then upgraded and scaled. */
class MockClusterTest {

    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void theReleaseIsCreatedUpgradedAndScaled() {
        List<HasMetadata> release = Manifests.parse(Chart.renderWithHooks(Chart.values()));
        for (HasMetadata object : release) {
            client.resource(object).inNamespace(Chart.NAMESPACE).create();
        }
        for (HasMetadata object : release) {
            HasMetadata stored =
                    client.resource(object).inNamespace(Chart.NAMESPACE).get();
            assertThat(stored)
                    .as(object.getKind() + " " + object.getMetadata().getName())
                    .isNotNull();
            assertThat(stored.getMetadata().getLabels())
                    .isEqualTo(object.getMetadata().getLabels());
        }
        assertThat(client.apps()
                        .deployments()
                        .inNamespace(Chart.NAMESPACE)
                        .list()
                        .getItems())
                .hasSize(5);
        assertThat(client.autoscaling()
                        .v2()
                        .horizontalPodAutoscalers()
                        .inNamespace(Chart.NAMESPACE)
                        .list()
                        .getItems())
                .hasSize(5);

        // an upgrade with autoscaling off replaces the Deployments with fixed replica counts
        List<HasMetadata> upgrade =
                Manifests.parse(Chart.render(Chart.values("serviceDefaults.autoscaling.enabled", false)));
        for (Deployment deployment : Policies.ofKind(upgrade, Deployment.class)) {
            client.resource(deployment).inNamespace(Chart.NAMESPACE).update();
        }
        assertThat(client.apps()
                        .deployments()
                        .inNamespace(Chart.NAMESPACE)
                        .withName("recsys-feature-service")
                        .get()
                        .getSpec()
                        .getReplicas())
                .isEqualTo(2);

        client.apps()
                .deployments()
                .inNamespace(Chart.NAMESPACE)
                .withName("recsys-recommendation-service")
                .scale(6);

        Deployment scaled = client.apps()
                .deployments()
                .inNamespace(Chart.NAMESPACE)
                .withName("recsys-recommendation-service")
                .get();
        assertThat(scaled.getSpec().getReplicas()).isEqualTo(6);
        assertThat(scaled.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getImage())
                .isEqualTo("recsys/recommendation-service:0.1.0");
        assertThat(client.apps()
                        .deployments()
                        .inNamespace(Chart.NAMESPACE)
                        .withName("recsys-gateway")
                        .get()
                        .getSpec()
                        .getReplicas())
                .isEqualTo(2);
    }
}
