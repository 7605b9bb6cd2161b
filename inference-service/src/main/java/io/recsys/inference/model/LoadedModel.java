package io.recsys.inference.model;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.recsys.inference.bundle.Bundle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One bundle version in memory: its retrieval data, its ranker in ONNX Runtime and a pool of predictors (DJL predictors
 * are not thread-safe: one per concurrent caller).
 *
 * <p>Reference counted: the registry holds one reference while the version is current and every request holds one while
 * it runs, so requests in flight finish on the version they started with; the last release closes the predictors and
 * the model, which frees ONNX Runtime's native memory.
 */
public final class LoadedModel {

    private final Bundle bundle;
    private final Model model;
    private final BlockingQueue<Slot> slots;
    private final String device;
    private final Instant loadedAt;
    private final AtomicInteger references = new AtomicInteger(1);
    private final Runnable onClose;

    LoadedModel(Bundle bundle, Model model, int predictorCount, String device, Instant loadedAt, Runnable onClose) {
        this.bundle = bundle;
        this.model = model;
        this.device = device;
        this.loadedAt = loadedAt;
        this.onClose = onClose;
        this.slots = new ArrayBlockingQueue<>(predictorCount);
        RowBatchTranslator translator =
                new RowBatchTranslator(bundle.metadata().ranker().input().name());
        for (int i = 0; i < predictorCount; i++) {
            slots.add(new Slot(model.newPredictor(translator)));
        }
    }

    public Bundle bundle() {
        return bundle;
    }

    public String version() {
        return bundle.version();
    }

    public String device() {
        return device;
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    public int width() {
        return bundle.layout().width();
    }

    /** Scores rows with one of this model's predictors (waits for one when all are busy). */
    public float[] score(float[] rows, int rowCount) throws TranslateException, InterruptedException {
        Slot slot = slots.take();
        try {
            return slot.predictor.predict(new RowBatch(slot.stage(rows, rowCount * width()), rowCount, width()));
        } finally {
            slots.add(slot);
        }
    }

    /**
     * A predictor with its own direct input buffer, reused across calls: allocating direct memory per call grows the
     * process until a GC frees it, and stalls callers when the direct-memory limit is hit.
     */
    private static final class Slot {
        private final Predictor<RowBatch, float[]> predictor;
        private FloatBuffer staging = FloatBuffer.allocate(0);

        Slot(Predictor<RowBatch, float[]> predictor) {
            this.predictor = predictor;
        }

        FloatBuffer stage(float[] rows, int length) {
            if (staging.capacity() < length) {
                staging = ByteBuffer.allocateDirect(Math.max(length, 2 * staging.capacity()) * Float.BYTES)
                        .order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
            }
            staging.clear();
            staging.put(rows, 0, length);
            return staging.flip();
        }
    }

    /** Takes a reference; false when the model is already closed (the caller looks up the current one again). */
    boolean retain() {
        while (true) {
            int count = references.get();
            if (count == 0) {
                return false;
            }
            if (references.compareAndSet(count, count + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (references.decrementAndGet() == 0) {
            slots.forEach(slot -> slot.predictor.close());
            model.close();
            onClose.run();
        }
    }

    public boolean isClosed() {
        return references.get() == 0;
    }
}
