package io.recsys.gateway.errors;

import java.util.List;
import org.springframework.http.HttpStatus;

/** A problem the gateway itself found in a request, answered as problem details. */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final List<Violation> violations;

    public ApiException(HttpStatus status, String message, List<Violation> violations) {
        super(message);
        this.status = status;
        this.violations = List.copyOf(violations);
    }

    public static ApiException badRequest(String field, String description) {
        return new ApiException(
                HttpStatus.BAD_REQUEST, field + ": " + description, List.of(new Violation(field, description)));
    }

    public HttpStatus status() {
        return status;
    }

    public List<Violation> violations() {
        return violations;
    }
}
