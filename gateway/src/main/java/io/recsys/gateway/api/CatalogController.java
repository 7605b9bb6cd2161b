package io.recsys.gateway.api;

import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import io.recsys.contracts.events.v1.UpsertItemsRequest;
import io.recsys.contracts.events.v1.UpsertItemsResponse;
import io.recsys.gateway.backend.Deadlines;
import io.recsys.gateway.backend.GatewayProperties;
import io.recsys.gateway.backend.GrpcMono;
import io.recsys.gateway.errors.ApiException;
import io.recsys.gateway.errors.Problem;
import io.recsys.gateway.errors.Violation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code PUT /api/v1/catalog/items}: a JSON array of items, each replacing what was known of it. */
@RestController
public class CatalogController {

    private final IngestionServiceGrpc.IngestionServiceStub ingestion;
    private final Deadlines deadlines;
    private final GatewayProperties properties;

    public CatalogController(
            IngestionServiceGrpc.IngestionServiceStub ingestion, Deadlines deadlines, GatewayProperties properties) {
        this.ingestion = ingestion;
        this.deadlines = deadlines;
        this.properties = properties;
    }

    @Operation(summary = "Catalogue items, each replacing what was known of it")
    @ApiResponse(
            responseCode = "200",
            description = "at least one item was taken; one result per item, in request order",
            content =
                    @Content(mediaType = "application/json", schema = @Schema(implementation = UpsertResultJson.class)))
    @ApiResponse(
            responseCode = "400",
            description = "no item was taken (results say why, per item); or the body is not a JSON array of items,"
                    + " or holds too many (problem details)",
            content = {
                @Content(mediaType = "application/json", schema = @Schema(implementation = UpsertResultJson.class)),
                @Content(mediaType = OpenApiDocs.PROBLEM_JSON, schema = @Schema(implementation = Problem.class))
            })
    @PutMapping(
            path = "/api/v1/catalog/items",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<UpsertResultJson>> upsert(
            @RequestBody List<CatalogItemJson> items,
            @Parameter(description = "the caller's deadline in milliseconds (default 5000, at most 30000)")
                    @RequestHeader(name = Deadlines.HEADER, required = false)
                    String deadlineHeader) {
        if (items.size() > properties.maxBatchSize()) {
            throw ApiException.badRequest(
                    "items", "at most " + properties.maxBatchSize() + " items per batch, got " + items.size());
        }
        UpsertItemsRequest.Builder request = UpsertItemsRequest.newBuilder();
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) == null) {
                throw ApiException.badRequest("items[" + i + "]", "must be an item object, not null");
            }
            request.addItems(toProto(items.get(i)));
        }
        long deadlineNanos = deadlines.ingest(deadlineHeader).toNanos();
        return GrpcMono.<UpsertItemsRequest, UpsertItemsResponse>unary(
                        request.build(), ingestion.withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS)::upsertItems)
                .map(response -> {
                    List<UpsertResultJson.Result> results = response.getResultsList().stream()
                            .map(r -> new UpsertResultJson.Result(
                                    r.getIndex(),
                                    r.getItemId(),
                                    PublicNames.of(r.getOutcome(), "ITEM_OUTCOME_"),
                                    r.getViolationsList().stream()
                                            .map(v -> new Violation(v.getField(), v.getDescription()))
                                            .toList()))
                            .toList();
                    HttpStatus status = response.getUpserted() == 0 ? HttpStatus.BAD_REQUEST : HttpStatus.OK;
                    return ResponseEntity.status(status)
                            .body(new UpsertResultJson(response.getUpserted(), response.getRejected(), results));
                });
    }

    private static Item toProto(CatalogItemJson json) {
        Item.Builder item = Item.newBuilder()
                .setItemId(PublicNames.orEmpty(json.itemId()))
                .setTitle(PublicNames.orEmpty(json.title()))
                .setCategory(PublicNames.orEmpty(json.category()))
                .setCurrency(PublicNames.orEmpty(json.currency()));
        if (json.price() != null) {
            item.setPrice(json.price());
        }
        if (json.available() != null) {
            item.setAvailable(json.available());
        }
        if (json.attributes() != null) {
            json.attributes().forEach((k, v) -> item.putAttributes(k, PublicNames.orEmpty(v)));
        }
        if (json.updatedAt() != null) {
            item.setUpdatedAt(EventLogCodec.toTimestamp(json.updatedAt()));
        }
        return item.build();
    }
}
