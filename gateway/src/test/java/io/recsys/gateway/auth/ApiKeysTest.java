package io.recsys.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    private final ApiKeys keys = new ApiKeys(new ApiKeyProperties(List.of("k-0123456789abcdef")));

    @Test
    void theApiKeyHeaderWinsOverAuthorizationAndBearerIsCaseInsensitive() {
        assertThat(ApiKeys.presented(" a ", "Bearer b")).contains("a");
        assertThat(ApiKeys.presented(null, "bearer b ")).contains("b");
        assertThat(ApiKeys.presented("", "Basic Yjpj")).isEmpty();
        assertThat(ApiKeys.presented(null, null)).isEmpty();
    }

    @Test
    void onlyAnExactKeyIsAccepted() {
        assertThat(keys.required()).isTrue();
        assertThat(keys.accepts(Optional.of("k-0123456789abcdef"))).isTrue();
        assertThat(keys.accepts(Optional.of("k-0123456789abcdeF"))).isFalse();
        assertThat(keys.accepts(Optional.of("k-0123456789abcdef "))).isFalse();
        assertThat(keys.accepts(Optional.empty())).isFalse();
    }

    @Test
    void withoutKeysTheApiIsOpen() {
        ApiKeys open = new ApiKeys(new ApiKeyProperties(List.of()));
        assertThat(open.required()).isFalse();
        assertThat(open.accepts(Optional.empty())).isTrue();
    }
}
