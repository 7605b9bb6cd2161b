package io.recsys.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reading the metrics and labels out of PromQL, and holding them against a scrape. */
class MonitoringQueriesTest {

    @Test
    void selectorsBareNamesAndGroupingLabelsAreFoundFunctionsAndStringsAreNot() {
        MonitoringQueries.Query query = MonitoringQueries.parse(
                "test",
                "histogram_quantile(0.99, sum by (namespace, le) (rate(recsys_a_seconds_bucket{depth=\"full\","
                        + " uri!~\"/actuator.*\"}[5m]))) / max(recsys_b) > 0.1");

        assertThat(query.metrics())
                .isEqualTo(Map.of("recsys_a_seconds_bucket", Set.of("depth", "uri"), "recsys_b", Set.of()));
        assertThat(query.groupedBy()).containsExactly("namespace", "le");
    }

    @Test
    void whatTheScrapeLacksIsNamed() {
        Map<String, Set<String>> exported = MonitoringQueries.exported("""
                # HELP recsys_a_seconds_bucket a timer
                recsys_a_seconds_bucket{application="x",depth="full",le="0.1"} 3
                recsys_b 1.0
                """);
        MonitoringQueries.Query query = MonitoringQueries.parse(
                "q", "sum by (application, stage) (rate(recsys_a_seconds_bucket{reason=\"x\"}[5m])) + recsys_c");

        assertThat(MonitoringQueries.missing(query, exported))
                .containsExactly(
                        "q: label reason of recsys_a_seconds_bucket", "q: metric recsys_c", "q: grouping label stage");
    }

    @Test
    void theExpressionsOfARuleFileAreItsExprBlocks() {
        String rules = """
                groups:
                  - name: g
                    rules:
                      - alert: A
                        expr: |
                          sum(rate(x_total[5m]))
                            > 0
                        for: 5m
                      - alert: B
                        expr: up == 0
                """;

        assertThat(MonitoringQueries.alertExpressions(rules)).containsExactly("sum(rate(x_total[5m])) > 0", "up == 0");
    }
}
