package io.recsys.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

    private final ApiKeys keys = new ApiKeys(new ApiKeyProperties(
            List.of("k-0123456789abcdef"),
            Map.of("storefront", new ApiKeyProperties.Client(List.of("s-0123456789abcdef", "s-new-0123456789abcd"))),
            null,
            Duration.ofSeconds(5)));

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
        ApiKeys open = new ApiKeys(new ApiKeyProperties(List.of(), Map.of(), null, Duration.ofSeconds(5)));
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
                        Map.of("other", new ApiKeyProperties.Client(List.of("k-0123456789abcdef"))),
                        null,
                        Duration.ofSeconds(5))))
                .hasMessageContaining("more than once");
        assertThatThrownBy(() -> new ApiKeys(new ApiKeyProperties(
                        List.of(),
                        Map.of(
                                ApiKeyProperties.ANONYMOUS_CLIENT,
                                new ApiKeyProperties.Client(List.of("a-0123456789abcdef"))),
                        null,
                        Duration.ofSeconds(5))))
                .hasMessageContaining("reserved");
    }

    private static ApiKeys fromFile(Path file, Duration reloadEvery) {
        return new ApiKeys(new ApiKeyProperties(List.of(), Map.of(), file, reloadEvery));
    }

    @Test
    void keysOfAMountedFileAreRotatedWithoutARestartAndABadFileLeavesTheKeysInForce(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("api-keys");
        Files.writeString(file, "old-0123456789abcdef\n");
        ApiKeys fromSecret = fromFile(file, Duration.ofSeconds(5));
        assertThat(fromSecret.accepts(Optional.of("old-0123456789abcdef"))).isTrue();

        Files.writeString(file, "old-0123456789abcdef,new-0123456789abcdef");
        assertThat(fromSecret.reload()).isTrue();
        assertThat(fromSecret.accepts(Optional.of("new-0123456789abcdef"))).isTrue();
        assertThat(fromSecret.accepts(Optional.of("old-0123456789abcdef"))).isTrue();

        // an empty file (a Secret emptied by mistake) must not open the API, nor a key too short to be secret
        for (String refused : List.of("", "short", "new-0123456789abcdef new-0123456789abcdef")) {
            Files.writeString(file, refused);
            assertThat(fromSecret.reload()).as(refused).isFalse();
            assertThat(fromSecret.required()).isTrue();
            assertThat(fromSecret.accepts(Optional.of("new-0123456789abcdef"))).isTrue();
        }
        Files.delete(file);
        assertThat(fromSecret.reload()).isFalse();

        Files.writeString(file, "new-0123456789abcdef");
        assertThat(fromSecret.reload()).isTrue();
        assertThat(fromSecret.accepts(Optional.of("old-0123456789abcdef"))).isFalse();
        assertThat(fromSecret.clientOf(Optional.of("new-0123456789abcdef"))).contains(ApiKeyProperties.DEFAULT_CLIENT);
    }

    @Test
    void whileRunningTheFileIsReadAgainOnItsOwn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("api-keys");
        Files.writeString(file, "old-0123456789abcdef");
        ApiKeys fromSecret = fromFile(file, Duration.ofMillis(50));
        fromSecret.start();
        try {
            Files.writeString(file, "rotated-0123456789abcdef");

            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> fromSecret.accepts(Optional.of("rotated-0123456789abcdef")));
            assertThat(fromSecret.accepts(Optional.of("old-0123456789abcdef"))).isFalse();
        } finally {
            fromSecret.stop();
        }
    }

    @Test
    void aFileWithoutKeysIsRefusedAtStartUp(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("api-keys");
        Files.writeString(file, " \n");

        assertThatThrownBy(() -> fromFile(file, Duration.ofSeconds(5))).hasMessageContaining("holds no key");
        assertThatThrownBy(() -> fromFile(dir.resolve("absent"), Duration.ofSeconds(5)))
                .hasMessageContaining("cannot read");
    }
}
