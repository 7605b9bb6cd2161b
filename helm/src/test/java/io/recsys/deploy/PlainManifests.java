package io.recsys.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The plain manifests in {@code k8s/}: the chart rendered with its defaults for release "recsys", one file per
 * component, without Helm's own labels. Regenerate with {@code ./recsys manifests}; a test fails when the files drift
 * from the chart.
 */
public final class PlainManifests {

    /** The API keys come from a Secret the operator creates (k8s/README.md), never from a committed file. */
    static final String API_KEY_SECRET = "recsys-api-keys";

    /** Nor does the bundled Redis's password: a generated one would differ on every generation. */
    static final String REDIS_AUTH_SECRET = "recsys-redis-auth";

    static final Map<String, Object> VALUES =
            Chart.values("apiKeys.existingSecret", API_KEY_SECRET, "redis.auth.existingSecret", REDIS_AUTH_SECRET);
    static final String HEADER =
            "# Generated from helm/recsys-platform (default values, release \"recsys\") by ./recsys manifests;"
                    + " do not edit.\n";
    private static final String SHARED = "platform";

    private PlainManifests() {}

    /** File name to content. */
    static Map<String, String> generate() {
        Map<String, StringBuilder> files = new LinkedHashMap<>();
        for (String document : Manifests.documents(Chart.render(VALUES))) {
            HasMetadata object = Manifests.parse(document).getFirst();
            String component = object.getMetadata().getLabels().getOrDefault("app.kubernetes.io/name", SHARED);
            String plain = document.strip()
                    .replaceAll("(?m)^\\s*helm\\.sh/chart: .*\\n", "")
                    .replace("app.kubernetes.io/managed-by: Helm", "app.kubernetes.io/managed-by: kubectl");
            files.computeIfAbsent(component + ".yaml", name -> new StringBuilder(HEADER))
                    .append("---\n")
                    .append(plain)
                    .append('\n');
        }
        Map<String, String> contents = new LinkedHashMap<>();
        files.forEach((name, content) -> contents.put(name, content.toString()));
        return contents;
    }

    /** The generated files now in k8s/. */
    static Map<String, String> committed() throws IOException {
        Map<String, String> contents = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(Chart.PLAIN_MANIFESTS)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".yaml"))
                    .sorted()
                    .toList()) {
                contents.put(file.getFileName().toString(), Files.readString(file));
            }
        }
        return contents;
    }

    public static void main(String[] args) throws IOException {
        Files.createDirectories(Chart.PLAIN_MANIFESTS);
        for (String stale : committed().keySet()) {
            Files.delete(Chart.PLAIN_MANIFESTS.resolve(stale));
        }
        for (Map.Entry<String, String> file : generate().entrySet()) {
            Files.writeString(Chart.PLAIN_MANIFESTS.resolve(file.getKey()), file.getValue());
            System.out.println("wrote " + Chart.REPOSITORY.relativize(Chart.PLAIN_MANIFESTS.resolve(file.getKey())));
        }
    }
}
