package io.recsys.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.Release;

/** helm lint --strict accepts the chart as shipped and refuses values outside values.schema.json. */
class ChartLintTest {

    @Test
    void theChartAsShippedPassesStrictLint() {
        LintResult lint = Chart.lint();

        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
        assertThat(lint.getMessages()).noneMatch(message -> message.contains("[WARNING]") || message.contains("[ERROR]"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a misspelt key                      | replicaCount: 3                                | additional properties 'replicaCount' not allowed
            a misspelt service setting          | 'gateway: {replica: 3}'                        | additional properties 'replica' not allowed
            a count of the wrong type           | 'serviceDefaults: {replicas: two}'             | /serviceDefaults/replicas
            a quantity that is not one          | 'inference-service: {tmpSizeLimit: lots}'      | /inference-service/tmpSizeLimit
            an fsync policy Redis does not know | 'redis: {appendfsync: sometimes}'              | /redis/appendfsync
            a Redis URL that is not one         | 'redis: {enabled: false, external: {url: cache:6379}}' | /redis/external/url
            an API key too short to be secret   | 'apiKeys: {keys: [abc]}'                       | /apiKeys/keys/0
            a CPU target above 100 %            | 'serviceDefaults: {autoscaling: {targetCPUUtilizationPercentage: 150}}' | /serviceDefaults/autoscaling/targetCPUUtilizationPercentage
            """)
    void valuesOutsideTheSchemaAreRefused(String what, String override, String expected) {
        LintResult lint = Chart.lintWithValues(Chart.defaultValuesYaml() + "\n" + override + "\n");

        assertThat(lint.isFailed()).as(what).isTrue();
        assertThat(String.join("\n", lint.getMessages())).as(what).contains(expected);
    }

    @Test
    void theInstallNotesRenderAndTellHowToReachTheApi() {
        Release release = new Helm(Chart.DIRECTORY).install().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
                .withKubeVersion(Chart.KUBERNETES_VERSION).dryRun().clientOnly().call();

        assertThat(release.getOutput()).contains("NOTES:", "kubectl -n recsys get secret recsys-api-keys",
                "X-Api-Key: $RECSYS_API_KEY", "helm test recsys -n recsys");
    }
}
