package io.recsys.inference.model;

import java.nio.FloatBuffer;

/** {@code rowCount} rows of {@code width} floats in a direct buffer (position 0, limit at the last value). */
public record RowBatch(FloatBuffer values, int rowCount, int width) {}
