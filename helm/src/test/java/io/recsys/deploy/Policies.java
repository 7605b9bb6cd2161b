package io.recsys.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The rules every rendered object and every plain manifest must keep. Each check returns the violations it found, as
 * sentences naming the object, so that a failing test says what to fix.
 */
final class Policies {

    /** Objects a release may name without creating them: what an operator brings (see the chart's values). */
    record Externals(Set<String> secrets, Set<String> claims) {
        static final Externals NONE = new Externals(Set.of(), Set.of());
    }

    /** A pod template and who owns it; long-running pods (not Jobs, not test Pods) need probes. */
    record Workload(HasMetadata owner, Map<String, String> labels, PodSpec spec, boolean longRunning) {
        String describe() {
            return owner.getKind() + " " + owner.getMetadata().getName();
        }

        Stream<Container> allContainers() {
            return Stream.concat(spec.getInitContainers().stream(), spec.getContainers().stream());
        }
    }

    private Policies() {}

    static List<String> check(List<HasMetadata> objects, Externals externals) {
        List<String> violations = new ArrayList<>();
        violations.addAll(containersHaveRequestsAndLimits(objects));
        violations.addAll(longRunningContainersHaveProbes(objects));
        violations.addAll(containersRunAsNonRootOnAReadOnlyRoot(objects));
        violations.addAll(servicesSelectPodsAndTargetTheirPorts(objects));
        violations.addAll(deploymentsAreCoveredByABudgetAndANetworkPolicy(objects));
        violations.addAll(probesMatchWhatTheServicesServe(objects));
        violations.addAll(referencesResolve(objects, externals));
        violations.addAll(onlyTheGatewayIsOpenToAll(objects));
        return violations;
    }

    static List<Workload> workloads(List<HasMetadata> objects) {
        List<Workload> workloads = new ArrayList<>();
        for (HasMetadata object : objects) {
            switch (object) {
                case Deployment d ->
                    workloads.add(new Workload(
                            d,
                            d.getSpec().getTemplate().getMetadata().getLabels(),
                            d.getSpec().getTemplate().getSpec(),
                            true));
                case StatefulSet s ->
                    workloads.add(new Workload(
                            s,
                            s.getSpec().getTemplate().getMetadata().getLabels(),
                            s.getSpec().getTemplate().getSpec(),
                            true));
                case CronJob c -> {
                    var template = c.getSpec().getJobTemplate().getSpec().getTemplate();
                    workloads.add(new Workload(c, template.getMetadata().getLabels(), template.getSpec(), false));
                }
                case Pod p -> workloads.add(new Workload(p, p.getMetadata().getLabels(), p.getSpec(), false));
                default -> {}
            }
        }
        return workloads;
    }

    static List<String> containersHaveRequestsAndLimits(List<HasMetadata> objects) {
        List<String> violations = new ArrayList<>();
        for (Workload workload : workloads(objects)) {
            workload.allContainers().forEach(container -> {
                ResourceRequirements resources = container.getResources();
                for (String resource : List.of("cpu", "memory")) {
                    Quantity request =
                            resources == null ? null : resources.getRequests().get(resource);
                    Quantity limit =
                            resources == null ? null : resources.getLimits().get(resource);
                    if (request == null || limit == null) {
                        violations.add(workload.describe() + " container " + container.getName() + " lacks a "
                                + resource + " request or limit");
                    } else if (request.getNumericalAmount().compareTo(limit.getNumericalAmount()) > 0) {
                        violations.add(workload.describe() + " container " + container.getName() + " requests more "
                                + resource + " than its limit");
                    }
                }
            });
        }
        return violations;
    }

    static List<String> longRunningContainersHaveProbes(List<HasMetadata> objects) {
        List<String> violations = new ArrayList<>();
        for (Workload workload : workloads(objects)) {
            if (!workload.longRunning()) {
                continue;
            }
            for (Container container : workload.spec().getContainers()) {
                if (container.getStartupProbe() == null
                        || container.getLivenessProbe() == null
                        || container.getReadinessProbe() == null) {
                    violations.add(workload.describe() + " container " + container.getName()
                            + " lacks a startup, liveness or readiness probe");
                }
            }
        }
        return violations;
    }

    static List<String> containersRunAsNonRootOnAReadOnlyRoot(List<HasMetadata> objects) {
        List<String> violations = new ArrayList<>();
        for (Workload workload : workloads(objects)) {
            PodSecurityContext pod =
                    Optional.ofNullable(workload.spec().getSecurityContext()).orElse(new PodSecurityContext());
            workload.allContainers().forEach(container -> {
                SecurityContext own =
                        Optional.ofNullable(container.getSecurityContext()).orElse(new SecurityContext());
                String who = workload.describe() + " container " + container.getName();
                boolean nonRoot = Boolean.TRUE.equals(own.getRunAsNonRoot())
                        || (own.getRunAsNonRoot() == null && Boolean.TRUE.equals(pod.getRunAsNonRoot()));
                Long user = own.getRunAsUser() != null ? own.getRunAsUser() : pod.getRunAsUser();
                if (!nonRoot || (user != null && user == 0)) {
                    violations.add(who + " may run as root");
                }
                if (!Boolean.TRUE.equals(own.getReadOnlyRootFilesystem())) {
                    violations.add(who + " has a writable root filesystem");
                }
                if (!Boolean.FALSE.equals(own.getAllowPrivilegeEscalation())) {
                    violations.add(who + " allows privilege escalation");
                }
                if (own.getCapabilities() == null
                        || !own.getCapabilities().getDrop().contains("ALL")
                        || !own.getCapabilities().getAdd().isEmpty()) {
                    violations.add(who + " keeps Linux capabilities (drop ALL, add none)");
                }
            });
            if (workload.spec().getSecurityContext() == null
                    || workload.spec().getSecurityContext().getSeccompProfile() == null) {
                violations.add(workload.describe() + " has no seccomp profile");
            }
        }
        return violations;
    }

    static List<String> servicesSelectPodsAndTargetTheirPorts(List<HasMetadata> objects) {
        List<String> violations = new ArrayList<>();
        List<Workload> workloads = workloads(objects);
        for (Service service : ofKind(objects, Service.class)) {
            Map<String, String> selector = service.getSpec().getSelector();
            List<Workload> selected = workloads.stream()
                    .filter(w -> w.longRunning() && matches(selector, w.labels()))
                    .toList();
            if (selector == null || selector.isEmpty() || selected.isEmpty()) {
                violations.add("Service " + service.getMetadata().getName() + " selects no pods of this release");
                continue;
            }
            for (ServicePort port : service.getSpec().getPorts()) {
                for (Workload workload : selected) {
                    if (containerPort(workload.spec(), port.getTargetPort()).isEmpty()) {
                        violations.add("Service " + service.getMetadata().getName() + " port " + port.getName()
                                + " targets " + describe(port.getTargetPort()) + ", which " + workload.describe()
                                + " does not expose");
                    }
                }
            }
        }
        return violations;
    }

    static List<String> deploymentsAreCoveredByABudgetAndANetworkPolicy(List<HasMetadata> objects) {
        List<String> violations = new ArrayList<>();
        List<PodDisruptionBudget> budgets = ofKind(objects, PodDisruptionBudget.class);
        List<NetworkPolicy> policies = ofKind(objects, NetworkPolicy.class);
        for (Workload workload : workloads(objects)) {
            if (!workload.longRunning()) {
                continue;
            }
            if (workload.owner() instanceof Deployment
                    && budgets.stream().noneMatch(b -> matches(b.getSpec().getSelector(), workload.labels()))) {
                violations.add(workload.describe() + " has no PodDisruptionBudget");
            }
            if (policies.stream().noneMatch(p -> matches(p.getSpec().getPodSelector(), workload.labels()))) {
                violations.add(workload.describe() + " has no NetworkPolicy");
            }
        }
        return violations;
    }

    /**
     * Each service's container exposes the ports its application.yaml configures, and its probes ask for what it
     * serves.
     */
    static List<String> probesMatchWhatTheServicesServe(List<HasMetadata> objects) {
        List<String> violations = new ArrayList<>();
        for (Deployment deployment : ofKind(objects, Deployment.class)) {
            PodSpec spec = deployment.getSpec().getTemplate().getSpec();
            for (Container container : spec.getContainers()) {
                if (!ServiceConfiguration.SERVICES.contains(container.getName())) {
                    violations.add("Deployment " + deployment.getMetadata().getName() + " runs an unknown service "
                            + container.getName());
                    continue;
                }
                ServiceConfiguration served = ServiceConfiguration.of(container.getName());
                String who = "Deployment " + deployment.getMetadata().getName();
                if (!Objects.equals(portNamed(container, "http"), served.httpPort())
                        || !Objects.equals(portNamed(container, "grpc"), served.grpcPort())) {
                    violations.add(who + " exposes http/grpc " + portNamed(container, "http") + "/"
                            + portNamed(container, "grpc") + " but the service listens on " + served.httpPort() + "/"
                            + served.grpcPort());
                }
                if (served.managementPort() != served.httpPort()
                        && !Objects.equals(portNamed(container, "management"), served.managementPort())) {
                    violations.add(who + " exposes management " + portNamed(container, "management")
                            + " but Actuator listens on " + served.managementPort());
                }
                for (Probe probe : Stream.of(
                                container.getStartupProbe(),
                                container.getLivenessProbe(),
                                container.getReadinessProbe())
                        .filter(Objects::nonNull)
                        .toList()) {
                    if (probe.getHttpGet() != null) {
                        Optional<Integer> port =
                                containerPort(spec, probe.getHttpGet().getPort());
                        if (!port.equals(Optional.of(served.managementPort()))
                                || !served.httpProbePaths()
                                        .contains(probe.getHttpGet().getPath())) {
                            violations.add(who + " probes HTTP "
                                    + describe(probe.getHttpGet().getPort())
                                    + probe.getHttpGet().getPath() + ", which the service does not serve (it serves "
                                    + served.httpProbePaths() + " on " + served.managementPort() + ")");
                        }
                    } else if (probe.getGrpc() != null) {
                        String service =
                                Objects.requireNonNullElse(probe.getGrpc().getService(), "");
                        if (probe.getGrpc().getPort() != served.grpcPort()
                                || !served.grpcHealthServices().contains(service)) {
                            violations.add(who + " probes gRPC health '" + service + "' on "
                                    + probe.getGrpc().getPort() + "; the service answers " + served.grpcHealthServices()
                                    + " on " + served.grpcPort());
                        }
                    } else {
                        violations.add(who + " has a probe that is neither Actuator (HTTP) nor gRPC health");
                    }
                }
            }
        }
        return violations;
    }

    static List<String> referencesResolve(List<HasMetadata> objects, Externals externals) {
        List<String> violations = new ArrayList<>();
        Set<String> secrets = names(objects, Secret.class);
        Set<String> configMaps = names(objects, ConfigMap.class);
        Set<String> claims = names(objects, PersistentVolumeClaim.class);
        Set<String> accounts = names(objects, ServiceAccount.class);
        Set<String> deployments = names(objects, Deployment.class);
        for (Workload workload : workloads(objects)) {
            String account = Objects.requireNonNullElse(workload.spec().getServiceAccountName(), "default");
            if (!account.equals("default") && !accounts.contains(account)) {
                violations.add(workload.describe() + " runs as a ServiceAccount that does not exist: " + account);
            }
            workload.allContainers()
                    .flatMap(c -> c.getEnv().stream())
                    .map(EnvVar::getValueFrom)
                    .filter(Objects::nonNull)
                    .filter(from -> from.getSecretKeyRef() != null)
                    .map(from -> from.getSecretKeyRef().getName())
                    .filter(name ->
                            !secrets.contains(name) && !externals.secrets().contains(name))
                    .forEach(name ->
                            violations.add(workload.describe() + " reads a Secret that does not exist: " + name));
            for (Volume volume : workload.spec().getVolumes()) {
                if (volume.getSecret() != null
                        && !secrets.contains(volume.getSecret().getSecretName())
                        && !externals.secrets().contains(volume.getSecret().getSecretName())) {
                    violations.add(workload.describe() + " mounts a Secret that does not exist: "
                            + volume.getSecret().getSecretName());
                }
                if (volume.getConfigMap() != null
                        && !configMaps.contains(volume.getConfigMap().getName())) {
                    violations.add(workload.describe() + " mounts a ConfigMap that does not exist: "
                            + volume.getConfigMap().getName());
                }
                if (volume.getPersistentVolumeClaim() != null
                        && !claims.contains(volume.getPersistentVolumeClaim().getClaimName())
                        && !externals
                                .claims()
                                .contains(volume.getPersistentVolumeClaim().getClaimName())) {
                    violations.add(workload.describe() + " mounts a claim that does not exist: "
                            + volume.getPersistentVolumeClaim().getClaimName());
                }
            }
        }
        for (HorizontalPodAutoscaler autoscaler : ofKind(objects, HorizontalPodAutoscaler.class)) {
            String target = autoscaler.getSpec().getScaleTargetRef().getName();
            if (!deployments.contains(target)) {
                violations.add("HorizontalPodAutoscaler "
                        + autoscaler.getMetadata().getName() + " scales a Deployment that does not exist: " + target);
            }
            ofKind(objects, Deployment.class).stream()
                    .filter(d -> d.getMetadata().getName().equals(target)
                            && d.getSpec().getReplicas() != null)
                    .forEach(d -> violations.add("Deployment " + target
                            + " sets replicas although an autoscaler owns them (every upgrade would reset them)"));
        }
        for (Ingress ingress : ofKind(objects, Ingress.class)) {
            ingress.getSpec().getRules().stream()
                    .flatMap(r -> r.getHttp().getPaths().stream())
                    .map(p -> p.getBackend().getService())
                    .filter(backend -> ofKind(objects, Service.class).stream()
                            .noneMatch(s -> s.getMetadata().getName().equals(backend.getName())
                                    && s.getSpec().getPorts().stream()
                                            .anyMatch(p -> Objects.equals(
                                                            p.getName(),
                                                            backend.getPort().getName())
                                                    || Objects.equals(
                                                            p.getPort(),
                                                            backend.getPort().getNumber()))))
                    .forEach(backend ->
                            violations.add("Ingress " + ingress.getMetadata().getName()
                                    + " routes to a missing Service port " + backend.getName()));
        }
        return violations;
    }

    static List<String> onlyTheGatewayIsOpenToAll(List<HasMetadata> objects) {
        List<String> violations = new ArrayList<>();
        for (NetworkPolicy policy : ofKind(objects, NetworkPolicy.class)) {
            boolean gateway = "gateway"
                    .equals(policy.getSpec().getPodSelector().getMatchLabels().get("app.kubernetes.io/name"));
            boolean openToAll = policy.getSpec().getIngress().stream()
                    .anyMatch(rule -> rule.getFrom() == null || rule.getFrom().isEmpty());
            if (openToAll && !gateway) {
                violations.add("NetworkPolicy " + policy.getMetadata().getName()
                        + " admits traffic from anywhere; only the gateway may");
            }
        }
        return violations;
    }

    static <T extends HasMetadata> List<T> ofKind(List<HasMetadata> objects, Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    private static Set<String> names(List<HasMetadata> objects, Class<? extends HasMetadata> kind) {
        return ofKind(objects, kind).stream()
                .map(o -> o.getMetadata().getName())
                .collect(java.util.stream.Collectors.toSet());
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null || !selector.getMatchExpressions().isEmpty()) {
            return false; // the chart uses matchLabels only; anything else is not judged as covering
        }
        return matches(selector.getMatchLabels(), labels);
    }

    private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        return selector != null
                && !selector.isEmpty()
                && labels != null
                && labels.entrySet().containsAll(selector.entrySet());
    }

    private static Integer portNamed(Container container, String name) {
        return container.getPorts().stream()
                .filter(p -> name.equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElse(null);
    }

    private static String describe(IntOrString port) {
        return port.getStrVal() != null ? port.getStrVal() : String.valueOf(port.getIntVal());
    }

    private static Optional<Integer> containerPort(PodSpec spec, IntOrString port) {
        return spec.getContainers().stream()
                .flatMap(c -> c.getPorts().stream())
                .filter(p -> port.getStrVal() != null
                        ? port.getStrVal().equals(p.getName())
                        : Objects.equals(port.getIntVal(), p.getContainerPort()))
                .map(ContainerPort::getContainerPort)
                .findFirst();
    }
}
