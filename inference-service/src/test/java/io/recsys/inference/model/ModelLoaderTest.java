package io.recsys.inference.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recsys.inference.bundle.BundleException;
import io.recsys.inference.bundle.BundleFixtures;
import io.recsys.inference.bundle.BundleReader;
import io.recsys.inference.config.InferenceProperties;
import io.recsys.testsupport.Configured;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ModelLoaderTest {

    static InferenceProperties properties(Path modelDir) {
        return Configured.bind(
                InferenceProperties.PREFIX,
                InferenceProperties.class,
                Map.of("model-dir", modelDir.toString(), "device", "cpu", "batching.workers", "2"));
    }

    private final ModelLoader loader =
            new ModelLoader(new BundleReader(), properties(Path.of("unused")), Clock.systemUTC());

    @TempDir
    Path models;

    @Test
    void scoresEqualThePythonWorkersModelWithin1e5() throws Exception {
        AtomicInteger closed = new AtomicInteger();
        LoadedModel model = loader.load(BundleFixtures.demoBundle(), closed::incrementAndGet);
        JsonNode rows = JsonMapper.builder()
                .build()
                .readTree(BundleFixtures.demoBundle().resolve("samples.json").toFile())
                .path("rows");
        int count = rows.path("features").size();
        float[] input = new float[count * model.width()];
        for (int r = 0; r < count; r++) {
            for (int c = 0; c < model.width(); c++) {
                input[r * model.width() + c] =
                        (float) rows.path("features").get(r).get(c).asDouble();
            }
        }

        float[] scores = model.score(input, count);

        assertThat(scores).hasSize(count);
        double worst = 0;
        for (int r = 0; r < count; r++) {
            worst = Math.max(
                    worst, Math.abs(scores[r] - rows.path("scores").get(r).asDouble()));
        }
        assertThat(worst).isLessThanOrEqualTo(1e-5);
        model.release();
        assertThat(closed).hasValue(1);
        assertThat(model.isClosed()).isTrue();
    }

    @Test
    void aBundleWhoseSamplesDisagreeWithTheEngineIsRefused() throws Exception {
        Path bundle = BundleFixtures.publishCopy(models, "demo", "v1");
        String samples = Files.readString(bundle.resolve("samples.json"));
        // the first expected score of the raw rows, moved by 0.01: as if another model had written the samples
        int at = samples.indexOf("\"scores\": [") + "\"scores\": [".length();
        int end = samples.indexOf(',', at);
        double shifted = Double.parseDouble(samples.substring(at, end)) + 0.01;
        BundleFixtures.replaceFile(
                bundle, "samples.json", (samples.substring(0, at) + shifted + samples.substring(end)).getBytes(UTF_8));
        AtomicInteger closed = new AtomicInteger();

        assertThatThrownBy(() -> loader.load(bundle, closed::incrementAndGet))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("raw rows differs from the trained model at 0");
        assertThat(closed)
                .as("the refused model's native resources are released")
                .hasValue(1);
    }

    @Test
    void anOnnxFileTheEngineCannotReadIsRefused() {
        Path bundle = BundleFixtures.publishCopy(models, "demo", "v2");
        BundleFixtures.replaceFile(bundle, "ranker.onnx", "not an onnx graph".getBytes(UTF_8));

        AtomicInteger closed = new AtomicInteger();

        assertThatThrownBy(() -> loader.load(bundle, closed::incrementAndGet))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("ONNX Runtime cannot load ranker.onnx");
        assertThat(closed).hasValue(1);
    }
}
