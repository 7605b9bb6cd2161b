package io.recsys.gateway.errors;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;

/**
 * An RFC 9457 problem details body, the one shape of every error the edge answers. Besides the standard members it
 * carries {@code error} (a stable machine-readable code, e.g. {@code invalid_argument}), the {@code violations} naming
 * each field at fault and, when tracing is on, the {@code trace_id} to follow the request under.
 *
 * @param type a URI naming the kind of problem: {@code urn:recsys:problem:<error>}
 * @param title the HTTP status's reason phrase
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
        String type,
        String title,
        int status,
        String detail,
        String instance,
        String error,
        List<Violation> violations,
        String traceId) {

    public static final String TYPE_PREFIX = "urn:recsys:problem:";

    public Problem {
        violations = List.copyOf(violations);
    }

    public static Problem of(
            HttpStatusCode status, String error, String detail, String instance, List<Violation> violations) {
        return new Problem(
                TYPE_PREFIX + error, titleOf(status), status.value(), detail, instance, error, violations, null);
    }

    /** The status's reason phrase, or {@code HTTP <code>} for a code without one. */
    static String titleOf(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known == null ? "HTTP " + status.value() : known.getReasonPhrase();
    }

    /** The same problem, naming the trace the request can be followed under. */
    public Problem withTraceId(String traceId) {
        return new Problem(type, title, status, detail, instance, error, violations, traceId);
    }

    /**
     * The error code of a plain HTTP status: {@code 404} is {@code not_found}, {@code 400} {@code invalid_argument}.
     */
    public static String codeOf(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        if (known == null) {
            return "http_" + status.value();
        }
        // the names gRPC gives the same failures, so both sides of the edge speak alike
        return switch (known) {
            case BAD_REQUEST -> "invalid_argument";
            case UNAUTHORIZED -> "unauthenticated";
            case SERVICE_UNAVAILABLE -> "unavailable";
            case GATEWAY_TIMEOUT -> "deadline_exceeded";
            default -> known.name().toLowerCase(Locale.ROOT);
        };
    }
}
