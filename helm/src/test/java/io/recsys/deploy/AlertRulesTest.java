package io.recsys.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's alerts (files/alerts.yaml) checked by Prometheus's own promtool: valid rules, and unit tests of each
 * alert firing on the series that should raise it and staying quiet on a healthy platform; each alert has its runbook.
 */
class AlertRulesTest {

    static final Path ALERTS = Chart.DIRECTORY.resolve("files/alerts.yaml");
    static final Path ALERT_TESTS = Chart.MODULE.resolve("src/test/resources/promtool/alerts-test.yaml");
    static final Path OPERATIONS = Chart.REPOSITORY.resolve("docs/operations.md");
    private static final Pattern ALERT = Pattern.compile("(?m)^\\s*- alert: (\\S+)\\s*$");
    private static final Pattern RUNBOOK = Pattern.compile("(?m)^\\s*runbook_url: (\\S+)\\s*$");

    private static Path promtool;

    @TempDir
    Path work;

    @BeforeAll
    static void findPromtool() {
        promtool = InstalledTool.find("promtool", "prometheus");
    }

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        Result check = promtool("check", "rules", ALERTS.toString());

        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + alerts().size() + " rules found");
    }

    @Test
    void eachAlertFiresWhenItShouldAndOnlyThen() throws Exception {
        Files.copy(ALERTS, work.resolve("alerts.yaml"));
        Files.copy(ALERT_TESTS, work.resolve("alerts-test.yaml"));

        Result test = promtool("test", "rules", work.resolve("alerts-test.yaml").toString());

        assertThat(test.exitCode()).as(test.output()).isZero();
        String tests = Files.readString(ALERT_TESTS);
        assertThat(alerts())
                .as("every alert has a unit test that expects it to fire")
                .allSatisfy(alert -> assertThat(tests).contains("alertname: " + alert + "\n        exp_alerts:\n"));
    }

    @Test
    void eachAlertLinksARunbookInTheOperationsGuide() throws IOException {
        String rules = Files.readString(ALERTS);
        String guide = Files.readString(OPERATIONS);
        List<String> links = matches(RUNBOOK, rules);

        assertThat(links).hasSameSizeAs(alerts());
        for (String alert : alerts()) {
            String anchor = alert.toLowerCase(Locale.ROOT);
            assertThat(links).contains("docs/operations.md#" + anchor);
            assertThat(guide).as("a runbook heading for " + alert).containsPattern("(?m)^#### " + alert + "$");
        }
    }

    private static List<String> alerts() throws IOException {
        return matches(ALERT, Files.readString(ALERTS));
    }

    private static List<String> matches(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }

    private record Result(int exitCode, String output) {}

    private Result promtool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, output + "\n(promtool did not finish within 60 s)");
        }
        return new Result(process.exitValue(), output);
    }
}
