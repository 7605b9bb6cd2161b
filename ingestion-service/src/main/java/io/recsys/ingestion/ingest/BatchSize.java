package io.recsys.ingestion.ingest;

import io.recsys.contracts.errors.FieldViolations;

/** The request-level bound every batch call shares: not empty, not over the configured maximum. */
public final class BatchSize {

    private BatchSize() {}

    /** Throws INVALID_ARGUMENT naming {@code field} (e.g. "events") when {@code size} is 0 or above {@code max}. */
    public static void check(String field, int size, int max) {
        if (size == 0) {
            new FieldViolations().add(field, "must contain at least one entry").throwIfAny();
        }
        if (size > max) {
            new FieldViolations()
                    .add(field, "at most " + max + " " + field + " per batch, got " + size)
                    .throwIfAny();
        }
    }
}
