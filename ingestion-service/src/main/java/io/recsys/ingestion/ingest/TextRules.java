package io.recsys.ingestion.ingest;

import com.google.protobuf.ByteString;
import io.recsys.contracts.errors.FieldViolations;
import io.recsys.contracts.validation.Identifiers;
import io.recsys.ingestion.config.IngestionProperties;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Encoding and size limits on free text and attribute maps, shared by events and catalog items.
 *
 * <p>The contracts leave UTF-8 checking of strings to the service (see events.proto), so a string that is not UTF-8
 * rejects only its own event, naming the field; decoding it would silently substitute replacement characters instead.
 */
@Component
public class TextRules {

    private final IngestionProperties properties;

    public TextRules(IngestionProperties properties) {
        this.properties = properties;
    }

    /** The text, or empty after reporting {@code field} when its bytes are not UTF-8. */
    public static Optional<String> decoded(ByteString bytes, String field, FieldViolations violations) {
        if (!bytes.isValidUtf8()) {
            violations.add(field, "is not valid UTF-8");
            return Optional.empty();
        }
        return Optional.of(bytes.toStringUtf8());
    }

    public static void checkId(ByteString id, String field, FieldViolations violations) {
        decoded(id, field, violations)
                .flatMap(Identifiers::problem)
                .ifPresent(problem -> violations.add(field, problem));
    }

    public void checkText(ByteString bytes, String field, FieldViolations violations) {
        decoded(bytes, field, violations).ifPresent(text -> checkText(text, field, violations));
    }

    public void checkText(String value, String field, FieldViolations violations) {
        if (value.length() > properties.maxTextLength()) {
            violations.add(field, "must be at most " + properties.maxTextLength() + " characters");
        }
    }

    public void checkAttributes(Map<String, String> attributes, String field, FieldViolations violations) {
        if (attributes.size() > properties.maxAttributes()) {
            violations.add(field, "at most " + properties.maxAttributes() + " attributes");
        }
        attributes.forEach((key, value) -> {
            if (!Identifiers.isValid(key)) {
                violations.add(field + "." + key, "attribute names follow the id rule: letters, digits and . _ : @ -");
            }
            checkText(value, field + "." + key, violations);
        });
    }
}
