package io.recsys.inference.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;

/** One model call per batch of rows: [rows, width] in, one score per row out. */
final class RowBatchTranslator implements Translator<RowBatch, float[]> {

    private final String inputName;

    RowBatchTranslator(String inputName) {
        this.inputName = inputName;
    }

    @Override
    public NDList processInput(TranslatorContext context, RowBatch batch) {
        // a direct buffer goes to ONNX Runtime as it is; a heap one would be copied into a fresh direct buffer per call
        NDArray input = context.getNDManager().create(batch.values(), new Shape(batch.rowCount(), batch.width()));
        input.setName(inputName);
        return new NDList(input);
    }

    @Override
    public float[] processOutput(TranslatorContext context, NDList output) {
        return output.singletonOrThrow().toFloatArray();
    }

    @Override
    public Batchifier getBatchifier() {
        return null; // the rows are the batch already; DJL must not add a dimension
    }
}
