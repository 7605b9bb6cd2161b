package io.recsys.contracts.errors;

import com.google.rpc.BadRequest;
import java.util.ArrayList;
import java.util.List;

/** Collects field-level problems of one request, named by their path (e.g. {@code events[3].user_id}). */
public final class FieldViolations {

    private final List<BadRequest.FieldViolation> violations = new ArrayList<>();

    public FieldViolations add(String field, String description) {
        violations.add(BadRequest.FieldViolation.newBuilder()
                .setField(field)
                .setDescription(description)
                .build());
        return this;
    }

    public boolean isEmpty() {
        return violations.isEmpty();
    }

    public List<BadRequest.FieldViolation> list() {
        return List.copyOf(violations);
    }

    /** Throws INVALID_ARGUMENT with these violations as {@code google.rpc.BadRequest} details, if there are any. */
    public void throwIfAny() {
        if (!violations.isEmpty()) {
            throw GrpcErrors.invalidArgument(violations);
        }
    }
}
