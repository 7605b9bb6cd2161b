package io.recsys.inference.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.recsys.inference.config.InferenceProperties.DeviceChoice;

/** Where the ranker runs: a GPU only when one is present and ONNX Runtime was built with CUDA. */
public final class Devices {

    public static final String ENGINE = "OnnxRuntime";

    private Devices() {}

    public static Device choose(DeviceChoice choice) {
        return switch (choice) {
            case CPU -> Device.cpu();
            case GPU -> {
                if (!gpuUsable()) {
                    throw new IllegalStateException("recsys.inference.device=gpu, but " + gpuProblem());
                }
                yield Device.gpu();
            }
            case AUTO -> gpuUsable() ? Device.gpu() : Device.cpu();
        };
    }

    static boolean gpuUsable() {
        return Engine.getEngine(ENGINE).getGpuCount() > 0
                && OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    }

    static String gpuProblem() {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            return "this ONNX Runtime has no CUDA provider (build with -Pgpu)";
        }
        return "no GPU is visible";
    }
}
