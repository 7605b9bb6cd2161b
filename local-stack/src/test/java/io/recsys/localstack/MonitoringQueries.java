package io.recsys.localstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The PromQL the chart ships (the alerts of files/alerts.yaml, the panels of files/dashboards/*.json) read for the
 * metrics and labels it names, so that a test can hold them against what the services really export: a query of a
 * metric nobody exports shows an empty panel and an alert that never fires.
 */
final class MonitoringQueries {

    /** Labels Prometheus adds to every scraped series (the target's), which no service exports itself. */
    static final Set<String> TARGET_LABELS = Set.of(
            "namespace", "pod", "job", "instance", "container", "app_kubernetes_io_name", "app_kubernetes_io_part_of");

    /** Series Prometheus makes itself. */
    static final Set<String> SYNTHETIC_METRICS = Set.of("up");

    private static final Set<String> PROMQL_WORDS = Set.of(
            "sum",
            "max",
            "min",
            "avg",
            "count",
            "rate",
            "increase",
            "irate",
            "deriv",
            "delta",
            "histogram_quantile",
            "by",
            "without",
            "and",
            "or",
            "unless",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "bool",
            "offset",
            "max_over_time",
            "min_over_time",
            "avg_over_time",
            "abs",
            "clamp_min",
            "clamp_max",
            "topk",
            "bottomk",
            "inf",
            "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring)\\s*\\(([^)]*)\\)");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][\\w:]*)\\s*\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("(\\w+)\\s*(?:=~|!~|!=|=)");
    private static final Pattern SCRAPED_LABEL = Pattern.compile("(\\w+)=\"");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.])([a-zA-Z_:][\\w:]*)(?![\\w(])");

    /** What one query names: each metric with the labels it is filtered on, and the labels it groups by. */
    record Query(String source, String expression, Map<String, Set<String>> metrics, Set<String> groupedBy) {}

    private MonitoringQueries() {}

    static List<Query> shipped(Path repository) throws IOException {
        Path chart = repository.resolve("helm/recsys-platform/files");
        List<Query> queries = new ArrayList<>();
        for (String expression : alertExpressions(Files.readString(chart.resolve("alerts.yaml")))) {
            queries.add(parse("alerts.yaml", expression));
        }
        JsonMapper json = JsonMapper.builder().build();
        try (Stream<Path> dashboards = Files.list(chart.resolve("dashboards"))) {
            for (Path dashboard : dashboards.sorted().toList()) {
                for (JsonNode panel : json.readTree(dashboard.toFile()).get("panels")) {
                    for (JsonNode target : panel.get("targets")) {
                        queries.add(parse(
                                dashboard.getFileName() + " / "
                                        + panel.get("title").asString(),
                                target.get("expr").asString()));
                    }
                }
            }
        }
        return queries;
    }

    /** The indented block under each {@code expr: |} of a rule file. */
    static List<String> alertExpressions(String rules) {
        List<String> expressions = new ArrayList<>();
        StringBuilder current = null;
        int indent = -1;
        for (String line : rules.split("\n")) {
            int leading = line.length() - line.stripLeading().length();
            if (current != null && !line.isBlank() && leading <= indent) {
                expressions.add(current.toString().strip());
                current = null;
            }
            if (current != null) {
                current.append(line.strip()).append(' ');
            } else if (line.strip().startsWith("expr:")) {
                indent = leading;
                current = new StringBuilder(
                        line.strip().substring("expr:".length()).replace("|", ""));
            }
        }
        if (current != null) {
            expressions.add(current.toString().strip());
        }
        return expressions;
    }

    static Query parse(String source, String expression) {
        String text = STRING.matcher(expression).replaceAll("\"\"");
        text = RANGE.matcher(text).replaceAll("");
        Set<String> groupedBy = new LinkedHashSet<>();
        Matcher grouping = GROUPING.matcher(text);
        while (grouping.find()) {
            for (String label : grouping.group(1).split(",")) {
                if (!label.isBlank()) {
                    groupedBy.add(label.strip());
                }
            }
        }
        text = GROUPING.matcher(text).replaceAll(" ");
        Map<String, Set<String>> metrics = new LinkedHashMap<>();
        Matcher selector = SELECTOR.matcher(text);
        while (selector.find()) {
            Set<String> labels = metrics.computeIfAbsent(selector.group(1), m -> new LinkedHashSet<>());
            Matcher matcher = MATCHER.matcher(selector.group(2));
            while (matcher.find()) {
                labels.add(matcher.group(1));
            }
        }
        text = SELECTOR.matcher(text).replaceAll(" ");
        Matcher identifier = IDENTIFIER.matcher(text);
        while (identifier.find()) {
            String name = identifier.group(1);
            if (!PROMQL_WORDS.contains(name)) {
                metrics.computeIfAbsent(name, m -> new LinkedHashSet<>());
            }
        }
        return new Query(source, expression, metrics, groupedBy);
    }

    /** Metric name to the label keys it carries, from Prometheus's text format. */
    static Map<String, Set<String>> exported(String scrape) {
        Map<String, Set<String>> metrics = new LinkedHashMap<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
            Set<String> labels = metrics.computeIfAbsent(name, n -> new LinkedHashSet<>());
            if (brace >= 0 && brace < space) {
                Matcher matcher = SCRAPED_LABEL.matcher(line.substring(brace, line.lastIndexOf('}')));
                while (matcher.find()) {
                    labels.add(matcher.group(1));
                }
            }
        }
        return metrics;
    }

    /** What a query names that the scrape lacks; empty when everything exists. */
    static List<String> missing(Query query, Map<String, Set<String>> exported) {
        List<String> missing = new ArrayList<>();
        Set<String> available = new LinkedHashSet<>(TARGET_LABELS);
        query.metrics().forEach((metric, labels) -> {
            if (SYNTHETIC_METRICS.contains(metric)) {
                available.addAll(labels);
                return;
            }
            Set<String> carried = exported.get(metric);
            if (carried == null) {
                missing.add(query.source() + ": metric " + metric);
                return;
            }
            available.addAll(carried);
            for (String label : labels) {
                if (!carried.contains(label) && !TARGET_LABELS.contains(label)) {
                    missing.add(query.source() + ": label " + label + " of " + metric);
                }
            }
        });
        for (String label : query.groupedBy()) {
            if (!available.contains(label)) {
                missing.add(query.source() + ": grouping label " + label);
            }
        }
        return missing;
    }
}
