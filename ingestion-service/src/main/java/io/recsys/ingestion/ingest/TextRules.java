package io.recsys.ingestion.ingest;

import java.util.Map;

import org.springframework.stereotype.Component;

import io.recsys.contracts.errors.FieldViolations;
import io.recsys.contracts.validation.Identifiers;
import io.recsys.ingestion.config.IngestionProperties;

/** Size limits on free text and attribute maps, shared by events and catalog items. */
@Component
public class TextRules {

    private final IngestionProperties properties;

    public TextRules(IngestionProperties properties) {
        this.properties = properties;
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
