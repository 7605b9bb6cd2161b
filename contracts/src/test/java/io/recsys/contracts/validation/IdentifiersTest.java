package io.recsys.contracts.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifiersTest {

    @ParameterizedTest
    @ValueSource(strings = {"u1", "12345", "user@shop.example", "sku:ABC-12_x.3"})
    void acceptsOrdinaryIds(String id) {
        assertThat(Identifiers.problem(id)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {" u1", "-u1", "u 1", "u{1}", "ü", "a\nb"})
    void rejectsIdsThatWouldBreakKeysOrLogs(String id) {
        assertThat(Identifiers.problem(id)).isPresent();
    }

    @Test
    void namesWhatIsWrong() {
        assertThat(Identifiers.problem("")).contains("is required");
        assertThat(Identifiers.problem(null)).contains("is required");
        assertThat(Identifiers.problem("x".repeat(129))).contains("must be at most 128 characters");
        assertThat(Identifiers.isValid("x".repeat(128))).isTrue();
    }
}
