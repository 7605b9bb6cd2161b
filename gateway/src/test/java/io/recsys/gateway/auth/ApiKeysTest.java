package io.recsys.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    private final ApiKeys keys = new ApiKeys(new ApiKeyProperties(
            List.of("k-0123456789abcdef"),
            Map.of("storefront", new ApiKeyProperties.Client(List.of("s-0123456789abcdef", "s-new-0123456789abcd")))));

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
        ApiKeys open = new ApiKeys(new ApiKeyProperties(List.of(), Map.of()));
        assertThat(open.required()).isFalse();
        assertThat(open.accepts(Optional.empty())).isTrue();
        assertThat(open.clientOf(Optional.of("anything"))).contains(ApiKeyProperties.ANONYMOUS_CLIENT);
    }

    @Test
    void aKeyNamesItsClientAndEitherKeyOfARotationNamesTheSameOne() {
        assertThat(keys.clientOf(Optional.of("k-0123456789abcdef"))).contains(ApiKeyProperties.DEFAULT_CLIENT);
        assertThat(keys.clientOf(Optional.of("s-0123456789abcdef"))).contains("storefront");
        assertThat(keys.clientOf(Optional.of("s-new-0123456789abcd"))).contains("storefront");
        assertThat(keys.clientOf(Optional.of("s-0123456789abcdeX"))).isEmpty();
    }

    @Test
    void oneKeyForTwoClientsOrAClientCalledAnonymousIsRefusedAtStartUp() {
        assertThatThrownBy(() -> new ApiKeys(new ApiKeyProperties(
                        List.of("k-0123456789abcdef"),
                        Map.of("other", new ApiKeyProperties.Client(List.of("k-0123456789abcdef"))))))
                .hasMessageContaining("more than once");
        assertThatThrownBy(() -> new ApiKeys(new ApiKeyProperties(
                        List.of(),
                        Map.of(
                                ApiKeyProperties.ANONYMOUS_CLIENT,
                                new ApiKeyProperties.Client(List.of("a-0123456789abcdef"))))))
                .hasMessageContaining("reserved");
    }
}
