package io.recsys.gateway.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.recsys.gateway.errors.Violation;
import java.util.List;

public record UpsertResultJson(int upserted, int rejected, List<Result> results) {

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Result(int index, String itemId, String outcome, List<Violation> violations) {}
}
