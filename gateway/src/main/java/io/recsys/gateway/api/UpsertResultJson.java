package io.recsys.gateway.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.recsys.gateway.errors.ApiError;

public record UpsertResultJson(int upserted, int rejected, List<Result> results) {

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Result(int index, String itemId, String outcome, List<ApiError.Violation> violations) {
    }
}
