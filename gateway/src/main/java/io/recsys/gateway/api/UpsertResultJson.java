package io.recsys.gateway.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.recsys.gateway.errors.Violation;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** The answer to a batch of catalog items: counts, and one result per item in request order. */
public record UpsertResultJson(int upserted, int rejected, List<Result> results) {

    // one name per schema in the OpenAPI document: both results are "Result" in Java
    @Schema(name = "ItemResult")
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Result(int index, String itemId, String outcome, List<Violation> violations) {}
}
