package io.recsys.gateway.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.recsys.gateway.errors.Violation;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** The answer to a batch of events: counts, and one result per event in request order. */
public record IngestResultJson(int accepted, int duplicates, int rejected, List<Result> results) {

    // one name per schema in the OpenAPI document: both results are "Result" in Java
    @Schema(name = "EventResult")
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Result(int index, String eventId, String outcome, List<Violation> violations) {}
}
