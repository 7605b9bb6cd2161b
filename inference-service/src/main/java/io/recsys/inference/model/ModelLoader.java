package io.recsys.inference.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import io.recsys.inference.bundle.Bundle;
import io.recsys.inference.bundle.BundleException;
import io.recsys.inference.bundle.BundleReader;
import io.recsys.inference.config.InferenceProperties;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Reads, loads and self-tests one bundle version; a bundle that fails any step is closed and refused. */
@Component
public class ModelLoader {

    private static final Logger log = LoggerFactory.getLogger(ModelLoader.class);

    private final BundleReader reader;
    private final Device device;
    private final int predictors;
    private final Clock clock;

    public ModelLoader(BundleReader reader, InferenceProperties properties, Clock clock) {
        this.reader = reader;
        this.device = Devices.choose(properties.device());
        // one per batching worker, plus one for the self-test of a version loading beside the current one
        this.predictors = properties.batching().workerCount() + 1;
        this.clock = clock;
        log.info(
                "ranking on {} with {} (ONNX Runtime, one intra-op thread per predictor, {} predictors per model)",
                device,
                Devices.ENGINE,
                predictors);
    }

    public Device device() {
        return device;
    }

    /**
     * @param onClose runs exactly once: when the loaded model's native resources are released, or at once when loading
     *     fails
     */
    public LoadedModel load(Path directory, Runnable onClose) throws BundleException {
        Bundle bundle;
        try {
            bundle = reader.read(directory);
        } catch (BundleException | RuntimeException e) {
            onClose.run();
            throw e;
        }
        Model model = Model.newInstance(bundle.metadata().name() + ":" + bundle.version(), device, Devices.ENGINE);
        LoadedModel loaded;
        try {
            // ONNX Runtime's default threading oversubscribes the cores when several predictors run at once
            model.load(
                    directory,
                    stripExtension(bundle.metadata().ranker().file()),
                    Map.of("intraOpNumThreads", "1", "interOpNumThreads", "1"));
            loaded = new LoadedModel(bundle, model, predictors, device.toString(), clock.instant(), onClose);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            onClose.run();
            throw new BundleException(
                    "ONNX Runtime cannot load " + bundle.metadata().ranker().file() + ": " + e.getMessage(), e);
        }
        try {
            SelfTest.run(loaded);
        } catch (BundleException e) {
            loaded.release();
            throw e;
        }
        return loaded;
    }

    private static String stripExtension(String file) {
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }
}
