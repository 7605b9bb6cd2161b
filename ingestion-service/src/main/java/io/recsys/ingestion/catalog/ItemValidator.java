package io.recsys.ingestion.catalog;

import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.errors.FieldViolations;
import io.recsys.ingestion.ingest.TextRules;
import org.springframework.stereotype.Component;

/** Checks one catalog item; text and attribute limits are the same as for events. */
@Component
public class ItemValidator {

    private final TextRules textRules;

    public ItemValidator(TextRules textRules) {
        this.textRules = textRules;
    }

    /** The latest updated_at the log can hold: its entries keep epoch milliseconds. */
    private static final java.time.Instant LATEST = java.time.Instant.parse("9999-12-31T23:59:59Z");

    // found by EdgeFuzzIT: a timestamp beyond epoch milliseconds' range failed the whole batch with INTERNAL
    private static void validateUpdatedAt(Item item, String path, FieldViolations violations) {
        java.time.Instant updatedAt;
        try {
            updatedAt = io.recsys.contracts.eventlog.EventLogCodec.toInstant(item.getUpdatedAt());
        } catch (java.time.DateTimeException e) {
            violations.add(path + ".updated_at", "is not a valid timestamp");
            return;
        }
        if (updatedAt.isBefore(java.time.Instant.EPOCH) || updatedAt.isAfter(LATEST)) {
            violations.add(path + ".updated_at", "must lie between 1970 and 9999");
        }
    }

    public FieldViolations validate(Item item, String path) {
        FieldViolations violations = new FieldViolations();
        TextRules.checkId(item.getItemIdBytes(), path + ".item_id", violations);
        textRules.checkText(item.getTitleBytes(), path + ".title", violations);
        textRules.checkText(item.getCategoryBytes(), path + ".category", violations);
        if (item.hasPrice() && (!Double.isFinite(item.getPrice()) || item.getPrice() < 0)) {
            violations.add(path + ".price", "must be a finite number, zero or more");
        }
        if (!item.getCurrencyBytes().isEmpty() && !item.getCurrencyBytes().isValidUtf8()) {
            violations.add(path + ".currency", "is not valid UTF-8");
        } else if (!item.getCurrency().isEmpty() && !item.getCurrency().matches("[A-Z]{3}")) {
            violations.add(path + ".currency", "must be an ISO 4217 code such as EUR");
        }
        textRules.checkAttributes(item.getAttributesMap(), path + ".attributes", violations);
        if (item.hasUpdatedAt()) {
            validateUpdatedAt(item, path, violations);
        }
        return violations;
    }
}
