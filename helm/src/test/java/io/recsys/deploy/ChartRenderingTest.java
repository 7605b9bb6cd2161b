package io.recsys.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The chart rendered by Helm for each supported way of running it; every object strict and within policy. */
class ChartRenderingTest {

    static Stream<Arguments> scenarios() {
        return Stream.of(
                Arguments.of("defaults", Chart.values(), Policies.Externals.NONE),
                Arguments.of(
                        "GPU inference", Chart.values("inference-service.gpu.enabled", true), Policies.Externals.NONE),
                Arguments.of(
                        "external Redis",
                        Chart.values("redis.enabled", false, "redis.external.existingSecret", "shared-redis"),
                        new Policies.Externals(Set.of("shared-redis"), Set.of())),
                Arguments.of(
                        "external Redis Cluster",
                        Chart.values(
                                "redis.enabled",
                                false,
                                "redis.external.cluster.nodes",
                                "redis-0.cache:6379,redis-1.cache:6379",
                                "redis.external.cluster.passwordSecret",
                                "cluster-auth"),
                        new Policies.Externals(Set.of("cluster-auth"), Set.of())),
                Arguments.of(
                        "autoscaling off",
                        Chart.values(
                                "serviceDefaults.autoscaling.enabled",
                                false,
                                "serviceDefaults.replicas",
                                3,
                                "inference-service.replicas",
                                2),
                        Policies.Externals.NONE),
                Arguments.of(
                        "ingress on",
                        Chart.values(
                                "ingress.enabled",
                                true,
                                "ingress.className",
                                "nginx",
                                "ingress.tls[0].secretName",
                                "recsys-tls",
                                "ingress.tls[0].hosts[0]",
                                "recommendations.example.com"),
                        Policies.Externals.NONE),
                Arguments.of(
                        "Redis over TLS, retraining",
                        Chart.values(
                                "redis.tls.enabled",
                                true,
                                "redis.tls.existingSecret",
                                "redis-tls",
                                "redis.auth.existingSecret",
                                "redis-password",
                                "models.persistence.enabled",
                                true,
                                "retrain.enabled",
                                true),
                        new Policies.Externals(Set.of("redis-tls", "redis-password"), Set.of())),
                Arguments.of(
                        "monitoring on",
                        Chart.values(
                                "monitoring.podMonitors.enabled",
                                true,
                                "monitoring.rules.enabled",
                                true,
                                "monitoring.dashboards.enabled",
                                true),
                        Policies.Externals.NONE),
                Arguments.of(
                        "everything on",
                        Chart.values(
                                "models.persistence.enabled",
                                true,
                                "retrain.enabled",
                                true,
                                "models.initContainer.enabled",
                                true,
                                "models.initContainer.image",
                                "registry.local/model-fetcher:1",
                                "models.initContainer.command[0]",
                                "fetch",
                                "apiKeys.keys[0]",
                                "first-key-0123456789abcdef",
                                "networkPolicy.gatewayFrom[0].namespaceSelector.matchLabels.role",
                                "edge",
                                "inference-service.gpu.enabled",
                                true,
                                "ingress.enabled",
                                true,
                                "monitoring.podMonitors.enabled",
                                true,
                                "monitoring.rules.enabled",
                                true,
                                "monitoring.dashboards.enabled",
                                true,
                                "retrain.timeZone",
                                "Europe/Berlin"),
                        Policies.Externals.NONE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyObjectIsValidAndWithinPolicy(String scenario, Map<String, Object> values, Policies.Externals externals) {
        List<HasMetadata> objects = Manifests.parse(Chart.renderWithHooks(values));

        assertThat(Policies.ofKind(objects, Deployment.class))
                .extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrder(
                        "recsys-gateway",
                        "recsys-ingestion-service",
                        "recsys-feature-service",
                        "recsys-inference-service",
                        "recsys-recommendation-service");
        assertThat(Policies.ofKind(objects, Pod.class)).as("the helm test hook").hasSize(1);
        assertThat(Policies.check(objects, externals)).isEmpty();
    }

    @Test
    void gpuInferenceRunsTheGpuImageOnGpuNodesWithAGpu() {
        Deployment inference = deployment(
                Manifests.parse(Chart.render(Chart.values("inference-service.gpu.enabled", true))),
                "recsys-inference-service");
        Container container =
                inference.getSpec().getTemplate().getSpec().getContainers().getFirst();

        assertThat(container.getImage()).isEqualTo("recsys/inference-service:0.1.0-gpu");
        assertThat(container.getResources().getLimits()).containsKey("nvidia.com/gpu");
        assertThat(container.getResources().getLimits().get("nvidia.com/gpu").getAmount())
                .isEqualTo("1");
        assertThat(inference.getSpec().getTemplate().getSpec().getNodeSelector())
                .containsEntry("nvidia.com/gpu.present", "true");
        assertThat(inference.getSpec().getTemplate().getSpec().getTolerations())
                .anyMatch(t -> "nvidia.com/gpu".equals(t.getKey()));

        Deployment cpu = deployment(Manifests.parse(Chart.render(Chart.values())), "recsys-inference-service");
        assertThat(cpu.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getResources()
                        .getLimits())
                .doesNotContainKey("nvidia.com/gpu");
        assertThat(cpu.getSpec().getTemplate().getSpec().getNodeSelector()).isNullOrEmpty();
    }

    @Test
    void eachServiceIsReachableOnItsGrpcPortOnlyFromItsCallers() {
        Map<String, Set<String>> callers = new java.util.TreeMap<>();
        for (NetworkPolicy policy :
                Policies.ofKind(Manifests.parse(Chart.render(Chart.values())), NetworkPolicy.class)) {
            String service = policy.getSpec().getPodSelector().getMatchLabels().get("app.kubernetes.io/name");
            for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
                boolean grpcOrRedis = rule.getPorts().stream()
                        .anyMatch(p ->
                                Set.of("grpc", "redis").contains(p.getPort().getStrVal()));
                if (grpcOrRedis && !rule.getFrom().isEmpty()) {
                    rule.getFrom()
                            .forEach(peer -> callers.computeIfAbsent(service, s -> new java.util.TreeSet<>())
                                    .add(peer.getPodSelector().getMatchLabels().get("app.kubernetes.io/name")));
                }
            }
        }

        assertThat(callers)
                .isEqualTo(Map.of(
                        "ingestion-service", Set.of("gateway", "health-check"),
                        "recommendation-service", Set.of("gateway", "health-check"),
                        "feature-service", Set.of("recommendation-service", "health-check"),
                        "inference-service", Set.of("recommendation-service", "health-check"),
                        "redis", Set.of("gateway", "ingestion-service", "feature-service", "retrain")));
    }

    @Test
    void withMonitoringEachServiceIsScrapedOnItsMetricsPortAndTheAlertsAndDashboardsShip() {
        List<HasMetadata> objects = Manifests.parse(Chart.render(Chart.values(
                "monitoring.podMonitors.enabled",
                true,
                "monitoring.podMonitors.labels.release",
                "kube-prometheus-stack",
                "monitoring.rules.enabled",
                true,
                "monitoring.rules.runbookBaseUrl",
                "https://docs.example.com/recsys/operations.md",
                "monitoring.dashboards.enabled",
                true,
                "monitoring.dashboards.folder",
                "Recsys")));

        List<PodMonitor> monitors = Policies.ofKind(objects, PodMonitor.class);
        assertThat(monitors).hasSize(5);
        for (Deployment deployment : Policies.ofKind(objects, Deployment.class)) {
            PodMonitor monitor = monitors.stream()
                    .filter(m -> m.getSpec().getSelector().getMatchLabels().entrySet().stream()
                            .allMatch(label -> label.getValue()
                                    .equals(deployment
                                            .getSpec()
                                            .getTemplate()
                                            .getMetadata()
                                            .getLabels()
                                            .get(label.getKey()))))
                    .findFirst()
                    .orElseThrow();
            assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
            String port = monitor.getSpec().getPodMetricsEndpoints().getFirst().getPort();
            Container container =
                    deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
            assertThat(container.getPorts())
                    .as(deployment.getMetadata().getName())
                    .anySatisfy(p -> assertThat(p.getName()).isEqualTo(port));
            // where the service's Actuator answers: the gateway's own management port, the HTTP port elsewhere
            assertThat(port)
                    .isEqualTo(deployment.getMetadata().getName().equals("recsys-gateway") ? "management" : "http");
        }

        PrometheusRule rule = Policies.ofKind(objects, PrometheusRule.class).getFirst();
        List<Rule> rules = rule.getSpec().getGroups().stream()
                .flatMap(g -> g.getRules().stream())
                .toList();
        assertThat(rules).hasSizeGreaterThanOrEqualTo(15).allSatisfy(r -> {
            assertThat(r.getExpr().getStrVal()).isNotBlank();
            assertThat(r.getLabels()).containsKey("severity");
            assertThat(r.getAnnotations().get("runbook_url"))
                    .isEqualTo("https://docs.example.com/recsys/operations.md#"
                            + r.getAlert().toLowerCase(java.util.Locale.ROOT));
        });

        List<ConfigMap> dashboards = Policies.ofKind(objects, ConfigMap.class).stream()
                .filter(c -> "1".equals(c.getMetadata().getLabels().get("grafana_dashboard")))
                .toList();
        assertThat(dashboards).hasSize(4).allSatisfy(dashboard -> {
            assertThat(dashboard.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Recsys");
            String json = dashboard.getData().values().iterator().next();
            Map<?, ?> parsed =
                    new io.fabric8.kubernetes.client.utils.KubernetesSerialization().unmarshal(json, Map.class);
            assertThat((List<?>) parsed.get("panels")).isNotEmpty();
        });
    }

    @Test
    void withoutMonitoringNoOperatorKindIsRendered() {
        List<HasMetadata> objects = Manifests.parse(Chart.render(Chart.values()));

        assertThat(Policies.ofKind(objects, PodMonitor.class)).isEmpty();
        assertThat(Policies.ofKind(objects, PrometheusRule.class)).isEmpty();
    }

    @Test
    void theBundledRedisHasAGeneratedPasswordThatNoCommandLineCarries() {
        List<HasMetadata> objects = Manifests.parse(
                Chart.render(Chart.values("models.persistence.enabled", true, "retrain.enabled", true)));

        Secret auth = Policies.ofKind(objects, Secret.class).stream()
                .filter(s -> s.getMetadata().getName().equals("recsys-redis-auth"))
                .findFirst()
                .orElseThrow();
        assertThat(auth.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
        String password = new String(
                java.util.Base64.getDecoder().decode(auth.getData().get("redis-password")),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(password).hasSize(40);

        Container redis = redisContainer(objects);
        assertThat(redis.getCommand()).first().isEqualTo("sh");
        assertThat(redis.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("REDIS_PASSWORD");
            assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("recsys-redis-auth");
        });
        for (Deployment deployment : Policies.ofKind(objects, Deployment.class)) {
            Container service =
                    deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
            boolean usesRedis = Set.of("recsys-gateway", "recsys-ingestion-service", "recsys-feature-service")
                    .contains(deployment.getMetadata().getName());
            assertThat(service.getEnv().stream()
                            .anyMatch(env -> env.getName().equals("SPRING_DATA_REDIS_PASSWORD")
                                    && env.getValueFrom()
                                            .getSecretKeyRef()
                                            .getName()
                                            .equals("recsys-redis-auth")))
                    .as(deployment.getMetadata().getName())
                    .isEqualTo(usesRedis);
        }
        Container retrain = retrainContainer(objects);
        assertThat(retrain.getArgs()).containsSubsequence("--redis-url-env", "REDIS_URL");
        assertThat(retrain.getArgs()).containsSubsequence("--redis-password-env", "REDIS_PASSWORD");
        assertThat(Stream.of(redis, retrain)
                        .flatMap(c -> Stream.concat(
                                Stream.ofNullable(c.getCommand()).flatMap(List::stream),
                                Stream.ofNullable(c.getArgs()).flatMap(List::stream))))
                .noneMatch(argument -> argument.contains(password) || argument.contains("$(REDIS"));
    }

    @Test
    void aTlsRedisListensOnlyOnTlsAndEveryClientTrustsItsCa() {
        List<HasMetadata> objects = Manifests.parse(Chart.render(Chart.values(
                "redis.tls.enabled",
                true,
                "redis.tls.existingSecret",
                "redis-tls",
                "models.persistence.enabled",
                true,
                "retrain.enabled",
                true)));

        Container redis = redisContainer(objects);
        assertThat(redis.getArgs()).containsSubsequence("--port", "0").containsSubsequence("--tls-port", "6379");
        assertThat(redis.getReadinessProbe().getExec().getCommand()).contains("--tls");
        for (Deployment deployment : Policies.ofKind(objects, Deployment.class)) {
            Container service =
                    deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
            if (service.getEnv().stream().anyMatch(env -> env.getName().equals("SPRING_DATA_REDIS_HOST"))) {
                assertThat(service.getEnv())
                        .anySatisfy(env -> assertThat(env.getName() + "=" + env.getValue())
                                .isEqualTo("SPRING_DATA_REDIS_SSL_ENABLED=true"));
                assertThat(service.getVolumeMounts())
                        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/redis-tls"));
            }
        }
        Secret url = Policies.ofKind(objects, Secret.class).stream()
                .filter(s -> s.getMetadata().getName().equals("recsys-redis-url"))
                .findFirst()
                .orElseThrow();
        assertThat(url.getStringData().get("redis-url")).startsWith("rediss://");
        Container retrain = retrainContainer(objects);
        assertThat(retrain.getArgs()).containsSubsequence("--redis-ca-file", "/redis-tls/ca.crt");
    }

    @Test
    void anImagePinnedToADigestIsPulledByItAndTheOthersByTag() {
        String digest = "sha256:" + "4f1c".repeat(16);
        List<HasMetadata> objects = Manifests.parse(Chart.renderWithHooks(
                Chart.values("image.digests.gateway", digest, "image.digests.python-worker", digest)));

        for (Deployment deployment : Policies.ofKind(objects, Deployment.class)) {
            String image = deployment
                    .getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .getFirst()
                    .getImage();
            if (deployment.getMetadata().getName().equals("recsys-gateway")) {
                assertThat(image).isEqualTo("recsys/gateway:0.1.0@" + digest);
            } else {
                assertThat(image).doesNotContain("@");
            }
        }
        assertThat(Policies.ofKind(objects, Pod.class)
                        .getFirst()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getImage())
                .isEqualTo("recsys/python-worker:0.1.0@" + digest);
        assertThatThrownBy(() -> Chart.render(Chart.values("image.digests.gateway", "latest")))
                .hasMessageContaining("/image/digests/gateway");
    }

    @Test
    void theBundledRedisKeepsItsPodLabelsAcrossChartVersions() {
        // an upgrade that only bumps the chart must not restart Redis (and reload its append-only file)
        StatefulSet redis = Policies.ofKind(Manifests.parse(Chart.render(Chart.values())), StatefulSet.class)
                .getFirst();

        assertThat(redis.getSpec().getTemplate().getMetadata().getLabels())
                .doesNotContainKeys("helm.sh/chart", "app.kubernetes.io/version");
    }

    @Test
    void anExternalRedisReplacesTheBundledOne() {
        List<HasMetadata> bundled = Manifests.parse(Chart.render(Chart.values()));
        List<HasMetadata> external = Manifests.parse(Chart.render(
                Chart.values("redis.enabled", false, "redis.external.url", "rediss://cache.internal:6380")));

        assertThat(Policies.ofKind(bundled, StatefulSet.class)).hasSize(1);
        assertThat(Policies.ofKind(external, StatefulSet.class)).isEmpty();
        assertThat(Policies.ofKind(external, Secret.class))
                .filteredOn(s -> s.getMetadata().getName().equals("recsys-redis-url"))
                .singleElement()
                .satisfies(
                        s -> assertThat(s.getStringData()).containsEntry("redis-url", "rediss://cache.internal:6380"));
    }

    @Test
    void anExternalRedisClusterIsGivenToTheServicesThatUseRedis() {
        List<HasMetadata> objects = Manifests.parse(Chart.render(Chart.values(
                "redis.enabled",
                false,
                "redis.external.cluster.nodes",
                "redis-0.cache:6379,redis-1.cache:6379",
                "redis.external.cluster.passwordSecret",
                "cluster-auth",
                "redis.replicaAcks",
                1)));

        assertThat(Policies.ofKind(objects, StatefulSet.class)).isEmpty();
        assertThat(Policies.ofKind(objects, Secret.class))
                .noneMatch(s -> s.getMetadata().getName().equals("recsys-redis-url"));
        for (String name : List.of("recsys-ingestion-service", "recsys-feature-service")) {
            var env = deployment(objects, name)
                    .getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .getFirst()
                    .getEnv();
            assertThat(env)
                    .anySatisfy(e -> {
                        assertThat(e.getName()).isEqualTo("SPRING_DATA_REDIS_CLUSTER_NODES");
                        assertThat(e.getValue()).isEqualTo("redis-0.cache:6379,redis-1.cache:6379");
                    })
                    .anySatisfy(e -> {
                        assertThat(e.getName()).isEqualTo("SPRING_DATA_REDIS_PASSWORD");
                        assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("cluster-auth");
                    })
                    .anySatisfy(e -> {
                        assertThat(e.getName()).isEqualTo("RECSYS_REDIS_REPLICA_ACKS");
                        assertThat(e.getValue()).isEqualTo("1");
                    })
                    .noneMatch(e -> e.getName().equals("SPRING_DATA_REDIS_URL"));
        }
        assertThatThrownBy(() -> Chart.render(
                        Chart.values("redis.enabled", false, "redis.external.cluster.nodes", "not a node list")))
                .hasMessageContaining("cluster");
        assertThatThrownBy(() -> Chart.render(Chart.values(
                        "redis.enabled",
                        false,
                        "redis.external.cluster.nodes",
                        "redis-0.cache:6379",
                        "redis.external.url",
                        "redis://other:6379")))
                .hasMessageContaining("not both");
    }

    @Test
    void withoutAutoscalingTheDeploymentsCarryTheirReplicas() {
        List<HasMetadata> objects = Manifests.parse(
                Chart.render(Chart.values("serviceDefaults.autoscaling.enabled", false, "gateway.replicas", 4)));

        assertThat(Policies.ofKind(objects, HorizontalPodAutoscaler.class)).isEmpty();
        assertThat(deployment(objects, "recsys-gateway").getSpec().getReplicas())
                .isEqualTo(4);
        assertThat(deployment(objects, "recsys-feature-service").getSpec().getReplicas())
                .isEqualTo(2);
        assertThat(Policies.ofKind(Manifests.parse(Chart.render(Chart.values())), HorizontalPodAutoscaler.class))
                .hasSize(5);
    }

    @Test
    void theIngressExposesOnlyThePublicApi() {
        List<HasMetadata> objects = Manifests.parse(Chart.render(Chart.values("ingress.enabled", true)));

        assertThat(Policies.ofKind(objects, Ingress.class))
                .singleElement()
                .satisfies(ingress -> assertThat(ingress.getSpec()
                                .getRules()
                                .getFirst()
                                .getHttp()
                                .getPaths())
                        .singleElement()
                        .satisfies(path -> assertThat(path.getPath()).isEqualTo("/api")));
        assertThat(Policies.ofKind(Manifests.parse(Chart.render(Chart.values())), Ingress.class))
                .isEmpty();
    }

    @Test
    void theRetrainJobPublishesIntoTheVolumeTheInferenceServiceReads() {
        List<HasMetadata> objects = Manifests.parse(
                Chart.render(Chart.values("models.persistence.enabled", true, "retrain.enabled", true)));

        CronJob retrain = Policies.ofKind(objects, CronJob.class).getFirst();
        String written = retrain.getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals("models"))
                .findFirst()
                .orElseThrow()
                .getPersistentVolumeClaim()
                .getClaimName();
        String read =
                deployment(objects, "recsys-inference-service").getSpec().getTemplate().getSpec().getVolumes().stream()
                        .filter(v -> v.getName().equals("models"))
                        .findFirst()
                        .orElseThrow()
                        .getPersistentVolumeClaim()
                        .getClaimName();
        assertThat(written).isEqualTo(read).isEqualTo("recsys-models");
    }

    @Test
    void changedSettingsRollThePods() {
        String before = configChecksum(Chart.values());
        String after = configChecksum(
                Chart.values("recommendation-service.config.recsys.recommendation.depth.target-latency", "30ms"));

        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void combinationsThatCannotWorkAreRefusedWithAReason() {
        assertThatThrownBy(() -> Chart.render(Chart.values("redis.enabled", false)))
                .hasMessageContaining(
                        "set redis.external.url, redis.external.existingSecret or redis.external.cluster.nodes");
        assertThatThrownBy(() -> Chart.render(Chart.values("retrain.enabled", true)))
                .hasMessageContaining("retrain.enabled needs models.persistence.enabled");
        assertThatThrownBy(() -> Chart.render(Chart.values("apiKeys.keys[0]", "too-short")))
                .hasMessageContaining("/apiKeys/keys/0");
        assertThatThrownBy(() -> Chart.render(Chart.values("redis.tls.enabled", true)))
                .hasMessageContaining("redis.tls.enabled needs redis.tls.existingSecret");
    }

    @Test
    void theStrictParserRefusesUnknownFieldsAndUnknownKinds() {
        String typo = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers: [{name: c, image: i, imagePullPolcy: Always}]
                """;
        assertThatThrownBy(() -> Manifests.parse(typo))
                .hasMessageContaining("spec.template.spec.containers[0].imagePullPolcy");
        assertThatThrownBy(() -> Manifests.parse("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"))
                .hasMessageContaining("not a Kubernetes kind");
        assertThatThrownBy(() -> Manifests.parse(
                        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: two}\n"))
                .isInstanceOf(RuntimeException.class);
    }

    private static String configChecksum(Map<String, Object> values) {
        return deployment(Manifests.parse(Chart.render(values)), "recsys-recommendation-service")
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get("checksum/config");
    }

    private static Deployment deployment(List<HasMetadata> objects, String name) {
        return Policies.ofKind(objects, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static Container retrainContainer(List<HasMetadata> objects) {
        return Policies.ofKind(objects, CronJob.class)
                .getFirst()
                .getSpec()
                .getJobTemplate()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst();
    }

    static Container redisContainer(List<HasMetadata> objects) {
        return Policies.ofKind(objects, StatefulSet.class)
                .getFirst()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst();
    }
}
