package io.recsys.ingestion.catalog;

import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.errors.FieldViolations;
import io.recsys.contracts.events.v1.ItemOutcome;
import io.recsys.contracts.events.v1.ItemResult;
import io.recsys.contracts.events.v1.UpsertItemsResponse;
import io.recsys.ingestion.config.IngestionProperties;
import io.recsys.ingestion.eventlog.RedisEventLog;
import io.recsys.ingestion.ingest.AppendLimiter;
import io.recsys.ingestion.ingest.BatchSize;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/** Catalog upserts go through the event log too, so that features see them in order with events. */
@Component
public class CatalogIngestor {

    private final ItemValidator validator;
    private final RedisEventLog eventLog;
    private final IngestionProperties properties;
    private final AppendLimiter limiter;

    public CatalogIngestor(
            ItemValidator validator, RedisEventLog eventLog, IngestionProperties properties, AppendLimiter limiter) {
        this.validator = validator;
        this.eventLog = eventLog;
        this.properties = properties;
        this.limiter = limiter;
    }

    public UpsertItemsResponse upsert(List<Item> items) {
        BatchSize.check("items", items.size(), properties.maxBatchSize());
        UpsertItemsResponse.Builder response = UpsertItemsResponse.newBuilder();
        List<Item> valid = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            FieldViolations violations = validator.validate(item, "items[" + i + "]");
            ItemResult.Builder result = ItemResult.newBuilder().setIndex(i).setItemId(item.getItemId());
            if (violations.isEmpty()) {
                valid.add(item);
                result.setOutcome(ItemOutcome.ITEM_OUTCOME_UPSERTED);
            } else {
                result.setOutcome(ItemOutcome.ITEM_OUTCOME_REJECTED).addAllViolations(violations.list());
            }
            response.addResults(result);
        }
        limiter.run(() -> {
            eventLog.appendItems(valid);
            return valid.size();
        });
        return response.setUpserted(valid.size())
                .setRejected(items.size() - valid.size())
                .build();
    }
}
