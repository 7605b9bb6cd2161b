package io.recsys.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** k8s/ is the chart's default rendering, parses strictly and keeps every policy. */
class PlainManifestsTest {

    @Test
    void theFilesMatchTheChart() throws IOException {
        Map<String, String> generated = PlainManifests.generate();
        Map<String, String> committed = PlainManifests.committed();

        assertThat(committed.keySet())
                .as("k8s/ files; regenerate with ./recsys manifests")
                .isEqualTo(generated.keySet());
        generated.forEach((file, content) -> assertThat(committed.get(file))
                .as("k8s/" + file + " drifted from the chart; regenerate with ./recsys manifests")
                .isEqualTo(content));
    }

    @Test
    void everyFileParsesStrictlyAndKeepsThePolicies() throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        for (String content : PlainManifests.committed().values()) {
            objects.addAll(Manifests.parse(content));
        }

        assertThat(objects).hasSizeGreaterThan(30);
        assertThat(objects)
                .allSatisfy(o -> assertThat(o.getMetadata().getLabels()).doesNotContainKey("helm.sh/chart"));
        assertThat(Policies.check(
                        objects,
                        new Policies.Externals(
                                Set.of(PlainManifests.API_KEY_SECRET, PlainManifests.REDIS_AUTH_SECRET), Set.of())))
                .isEmpty();
    }

    @Test
    void theOperatorsGuideToThemExists() {
        assertThat(Files.isRegularFile(Chart.PLAIN_MANIFESTS.resolve("README.md")))
                .isTrue();
    }
}
