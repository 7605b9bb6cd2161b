package io.recsys.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.Release;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** helm lint --strict accepts the chart as shipped and refuses values outside values.schema.json. */
class ChartLintTest {

    @Test
    void theChartAsShippedPassesStrictLint() {
        LintResult lint = Chart.lint();

        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
        assertThat(lint.getMessages())
                .noneMatch(message -> message.contains("[WARNING]") || message.contains("[ERROR]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesOutsideTheSchema")
    void valuesOutsideTheSchemaAreRefused(String what, String override, String expected) {
        LintResult lint = Chart.lintWithValues(Chart.defaultValuesYaml() + "\n" + override + "\n");

        assertThat(lint.isFailed()).as(what).isTrue();
        assertThat(String.join("\n", lint.getMessages())).as(what).contains(expected);
    }

    static Stream<Arguments> valuesOutsideTheSchema() {
        return Stream.of(
                Arguments.of("a misspelt key", "replicaCount: 3", "additional properties 'replicaCount' not allowed"),
                Arguments.of(
                        "a misspelt service setting",
                        "gateway: {replica: 3}",
                        "additional properties 'replica' not allowed"),
                Arguments.of(
                        "a count of the wrong type", "serviceDefaults: {replicas: two}", "/serviceDefaults/replicas"),
                Arguments.of(
                        "a quantity that is not one",
                        "inference-service: {tmpSizeLimit: lots}",
                        "/inference-service/tmpSizeLimit"),
                Arguments.of(
                        "an fsync policy Redis does not know", "redis: {appendfsync: sometimes}", "/redis/appendfsync"),
                Arguments.of(
                        "a Redis URL that is not one",
                        "redis: {enabled: false, external: {url: cache:6379}}",
                        "/redis/external/url"),
                Arguments.of("an API key too short to be secret", "apiKeys: {keys: [abc]}", "/apiKeys/keys/0"),
                Arguments.of(
                        "a CPU target above 100 %",
                        "serviceDefaults: {autoscaling: {targetCPUUtilizationPercentage: 150}}",
                        "autoscaling/targetCPUUtilizationPercentage"));
    }

    @Test
    void theInstallNotesRenderAndTellHowToReachTheApi() {
        Release release = new Helm(Chart.DIRECTORY)
                .install()
                .withName(Chart.RELEASE)
                .withNamespace(Chart.NAMESPACE)
                .withKubeVersion(Chart.KUBERNETES_VERSION)
                .dryRun()
                .clientOnly()
                .call();

        assertThat(release.getOutput())
                .contains(
                        "NOTES:",
                        "kubectl -n recsys get secret recsys-api-keys",
                        "X-Api-Key: $RECSYS_API_KEY",
                        "helm test recsys -n recsys");
    }
}
