package io.recsys.inference.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleReaderTest {

    private final BundleReader reader = new BundleReader();

    @TempDir
    Path models;

    @Test
    void readsTheDemoBundleAndItsFeatureLayout() throws Exception {
        Bundle bundle = reader.read(BundleFixtures.demoBundle());

        assertThat(bundle.layout().width()).isEqualTo(72);
        assertThat(bundle.layout().user().names()).containsExactly("user_events", "hours_since_user_active");
        assertThat(bundle.layout().item().names())
                .containsExactly(
                        "cooccurrence", "item_popularity", "item_popularity_7d", "item_popularity_24h", "price");
        assertThat(bundle.embeddings().dimension()).isEqualTo(32);
        assertThat(bundle.embeddings().itemCount())
                .isEqualTo(bundle.metadata().retrieval().items().count())
                .isPositive();
        assertThat(bundle.samples().path("requests").size()).isPositive();
    }

    @Test
    void theMinimalScorersLearnedWeightsAreReadWhenTheBundleHasThem() throws Exception {
        assertThat(reader.read(BundleFixtures.demoBundle()).metadata().cheapScores())
                .isNull(); // made before they were learned
        Path learned = BundleFixtures.publishCopy(models, "demo", "v3");
        rewrite(
                learned,
                "\"samples\": {",
                "\"cheap_scores\": {\"weights\": {\"cooccurrence\": 0.25, \"item_popularity_7d\": 1.0, "
                        + "\"item_popularity\": 0.0}, \"ndcg@10\": 0.1}, \"samples\": {");

        assertThat(reader.read(learned).metadata().cheapScores().weights())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("cooccurrence", 0.25, "item_popularity_7d", 1.0, "item_popularity", 0.0));
    }

    @Test
    void aFileThatDoesNotMatchItsChecksumIsRefused() throws IOException {
        Path bundle = BundleFixtures.publishCopy(models, "demo", "v1");
        byte[] embeddings = Files.readAllBytes(bundle.resolve("item_embeddings.f32"));
        embeddings[7] ^= 0x40;
        Files.write(bundle.resolve("item_embeddings.f32"), embeddings);

        assertThatThrownBy(() -> reader.read(bundle))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("item_embeddings.f32 does not match its checksum");
    }

    @Test
    void anUnknownFormatAVersionMismatchAndABrokenLayoutAreRefused() throws IOException {
        Path future = BundleFixtures.publishCopy(models, "demo", "v2");
        rewrite(future, "\"format_version\": 1", "\"format_version\": 2");
        assertThatThrownBy(() -> reader.read(future)).hasMessageContaining("format_version 2 is not supported");

        Path renamed = Files.move(
                BundleFixtures.publishCopy(models, "demo", "v3"),
                models.resolve("demo").resolve("v4"));
        assertThatThrownBy(() -> reader.read(renamed))
                .hasMessageContaining("metadata says version v3, the directory is v4");

        Path shifted = BundleFixtures.publishCopy(models, "demo", "v5");
        rewrite(shifted, "\"offset\": 65", "\"offset\": 66");
        assertThatThrownBy(() -> reader.read(shifted))
                .hasMessageContaining("feature cooccurrence starts at 66, expected 65");

        Path unknownScope = BundleFixtures.publishCopy(models, "demo", "v6");
        rewrite(unknownScope, "\"scope\": \"derived\"", "\"scope\": \"session\"");
        assertThatThrownBy(() -> reader.read(unknownScope)).hasMessageContaining("unknown scope session");
    }

    private static void rewrite(Path bundle, String from, String to) throws IOException {
        Path metadata = bundle.resolve("metadata.json");
        String text = Files.readString(metadata);
        assertThat(text).contains(from);
        Files.writeString(metadata, text.replaceFirst(java.util.regex.Pattern.quote(from), to));
    }
}
