package io.recsys.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** The chart in this module, rendered and linted by Helm itself (helm-java runs Helm in-process). */
final class Chart {

    /** this module's directory: the working directory in tests, its helm/ when run from the repository root */
    static final Path MODULE = module();

    static final Path DIRECTORY = MODULE.resolve("recsys-platform");
    static final Path REPOSITORY = MODULE.getParent();
    static final Path PLAIN_MANIFESTS = REPOSITORY.resolve("k8s");
    static final String RELEASE = "recsys";
    static final String NAMESPACE = "recsys";
    /** the Kubernetes version rendered for (helm-java defaults to 1.20, older than the chart supports) */
    static final String KUBERNETES_VERSION = "1.33.0";

    private Chart() {}

    /** The objects Helm renders for these values (set with --set semantics), tests included. */
    static String render(Map<String, Object> values) {
        return render(DIRECTORY, values);
    }

    private static String render(Path chart, Map<String, Object> values) {
        TemplateCommand template = new Helm(chart)
                .template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBERNETES_VERSION);
        values.forEach(template::set);
        return template.call();
    }

    /**
     * The same objects plus the chart's hooks (the helm test Pod, the generated API-key Secret), which helm-java's
     * template leaves out: rendered from a copy of the chart whose hook annotations are renamed.
     */
    static String renderWithHooks(Map<String, Object> values) {
        Path copy = copy();
        try (Stream<Path> files = Files.walk(copy.resolve("templates"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.writeString(file, Files.readString(file).replace("helm.sh/hook:", "recsys.test/rendered-hook:"));
            }
            return render(copy, values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(copy.getParent());
        }
    }

    static LintResult lint() {
        return new Helm(DIRECTORY).lint().strict().call();
    }

    /** helm lint reads only the chart's own values.yaml: lint a copy whose values.yaml is the one given. */
    static LintResult lintWithValues(String valuesYaml) {
        Path copy = copy();
        try {
            Files.writeString(copy.resolve("values.yaml"), valuesYaml);
            return new Helm(copy).lint().strict().call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(copy.getParent());
        }
    }

    static String defaultValuesYaml() {
        try {
            return Files.readString(DIRECTORY.resolve("values.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> values(Object... keysAndValues) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            values.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return values;
    }

    private static Path module() {
        Path workingDirectory = Path.of("").toAbsolutePath();
        return Files.isDirectory(workingDirectory.resolve("recsys-platform"))
                ? workingDirectory
                : workingDirectory.resolve("helm");
    }

    private static Path copy() {
        try {
            Path target = Files.createTempDirectory("chart-").resolve(DIRECTORY.getFileName());
            try (Stream<Path> files = Files.walk(DIRECTORY)) {
                for (Path file : files.toList()) {
                    Path destination = target.resolve(DIRECTORY.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(destination);
                    } else {
                        Files.copy(file, destination);
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
