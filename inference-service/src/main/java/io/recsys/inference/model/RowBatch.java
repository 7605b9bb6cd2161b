package io.recsys.inference.model;

/** {@code rowCount} rows of {@code width} floats, back to back from the start of {@code values}. */
public record RowBatch(float[] values, int rowCount, int width) {
}
