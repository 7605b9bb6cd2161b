package io.recsys.gateway.errors;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The body of every error answer: a machine-readable code, a sentence, and the fields at fault. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ApiError(int status, String error, String message, List<Violation> violations) {

    public record Violation(String field, String description) {}
}
