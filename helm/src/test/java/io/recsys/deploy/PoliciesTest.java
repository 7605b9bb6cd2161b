package io.recsys.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The policy checks catch what they are for: each mutation of a valid rendering is reported. */
class PoliciesTest {

    private static final String RENDERED = Chart.renderWithHooks(Chart.values());

    @Test
    void theUnchangedRenderingPasses() {
        assertThat(Policies.check(Manifests.parse(RENDERED), Policies.Externals.NONE))
                .isEmpty();
    }

    @Test
    void aContainerWithoutLimitsOrProbesOrWithAWritableRootIsReported() {
        assertThat(violationsAfter(
                        objects -> feature(objects).getResources().getLimits().remove("memory")))
                .containsExactly(
                        "Deployment recsys-feature-service container feature-service lacks a memory request or limit");
        assertThat(violationsAfter(objects -> feature(objects).setReadinessProbe(null)))
                .containsExactly("Deployment recsys-feature-service container feature-service lacks a startup, liveness"
                        + " or readiness probe");
        assertThat(violationsAfter(
                        objects -> feature(objects).getSecurityContext().setReadOnlyRootFilesystem(false)))
                .containsExactly(
                        "Deployment recsys-feature-service container feature-service has a writable root filesystem");
        assertThat(violationsAfter(
                        objects -> feature(objects).getSecurityContext().setRunAsUser(0L)))
                .containsExactly("Deployment recsys-feature-service container feature-service may run as root");
    }

    @Test
    void probesAtPortsOrPathsTheServiceDoesNotServeAreReported() {
        assertThat(violationsAfter(objects ->
                        feature(objects).getLivenessProbe().getHttpGet().setPath("/health")))
                .singleElement()
                .asString()
                .contains("probes HTTP http/health");
        assertThat(violationsAfter(objects ->
                        feature(objects).getReadinessProbe().getGrpc().setService("ready")))
                .singleElement()
                .asString()
                .contains("probes gRPC health 'ready' on 9092");
        assertThat(violationsAfter(
                        objects -> feature(objects).getPorts().getFirst().setContainerPort(8090)))
                .anyMatch(v -> v.contains("exposes http/grpc 8090/9092 but the service listens on 8082/9092"));
    }

    @Test
    void servicesThatMissTheirPodsOrPortsAreReported() {
        assertThat(violationsAfter(objects -> service(objects, "recsys-inference-service")
                        .getSpec()
                        .getPorts()
                        .getFirst()
                        .setTargetPort(new IntOrString("web"))))
                .containsExactly("Service recsys-inference-service port http targets web, which Deployment"
                        + " recsys-inference-service does not expose");
        assertThat(violationsAfter(objects -> service(objects, "recsys-inference-service")
                        .getSpec()
                        .getSelector()
                        .put("app.kubernetes.io/name", "inferense-service")))
                .containsExactly("Service recsys-inference-service selects no pods of this release");
    }

    @Test
    void deploymentsWithoutABudgetOrANetworkPolicyAndOpenPoliciesAreReported() {
        assertThat(violationsAfter(objects -> objects.removeIf(o -> o instanceof PodDisruptionBudget
                        && o.getMetadata().getName().equals("recsys-gateway"))))
                .containsExactly("Deployment recsys-gateway has no PodDisruptionBudget");
        assertThat(violationsAfter(objects -> objects.removeIf(o ->
                        o instanceof NetworkPolicy && o.getMetadata().getName().equals("recsys-redis"))))
                .containsExactly("StatefulSet recsys-redis has no NetworkPolicy");
        assertThat(violationsAfter(objects -> Policies.ofKind(objects, NetworkPolicy.class).stream()
                        .filter(p -> p.getMetadata().getName().equals("recsys-feature-service"))
                        .findFirst()
                        .orElseThrow()
                        .getSpec()
                        .getIngress()
                        .getFirst()
                        .setFrom(List.of())))
                .containsExactly(
                        "NetworkPolicy recsys-feature-service admits traffic from anywhere; only the gateway may");
    }

    @Test
    void referencesToObjectsThatDoNotExistAreReported() {
        assertThat(violationsAfter(objects ->
                        objects.removeIf(o -> o.getMetadata().getName().equals("recsys-api-keys"))))
                .containsExactlyInAnyOrder(
                        "Deployment recsys-gateway mounts a Secret that does not exist: recsys-api-keys",
                        "Pod recsys-health-check reads a Secret that does not exist: recsys-api-keys");
    }

    private static List<String> violationsAfter(Consumer<List<HasMetadata>> change) {
        List<HasMetadata> objects = new java.util.ArrayList<>(Manifests.parse(RENDERED));
        change.accept(objects);
        return Policies.check(objects, Policies.Externals.NONE);
    }

    private static Container feature(List<HasMetadata> objects) {
        return Policies.ofKind(objects, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("recsys-feature-service"))
                .findFirst()
                .orElseThrow()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst();
    }

    private static Service service(List<HasMetadata> objects, String name) {
        return Policies.ofKind(objects, Service.class).stream()
                .filter(s -> s.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
