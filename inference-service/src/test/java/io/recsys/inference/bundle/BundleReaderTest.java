package io.recsys.inference.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleReaderTest {

    private final BundleReader reader = new BundleReader();

    @TempDir
    Path models;

    @Test
    void readsTheDemoBundleAndItsFeatureLayout() throws Exception {
        Bundle bundle = reader.read(BundleFixtures.demoBundle());

        assertThat(bundle.layout().width()).isEqualTo(2 * 32 + 7);
        assertThat(bundle.layout().user().names()).containsExactly("user_events");
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
    void theMinimalScorersLearnedWeightsAndTheFeatureContractAreRead() throws Exception {
        BundleMetadata metadata = reader.read(BundleFixtures.demoBundle()).metadata();

        assertThat(metadata.cheapScores().weights())
                .containsOnlyKeys("cooccurrence", "item_popularity_7d", "item_popularity");
        BundleMetadata.FeatureContract contract = metadata.featureContract();
        assertThat(contract.recentList().events()).isEqualTo(100);
        assertThat(contract.recentList().retrievalItems()).isEqualTo(50);
        assertThat(contract.cooccurrence()).isEqualTo(new BundleMetadata.Cooccurrence(5, 50, 5, 20, 50));
        assertThat(contract.popularityWindowsSeconds()).containsEntry("last-week", 604_800L);
        assertThat(contract.candidates()).containsEntry("embedding", 50).containsEntry("trending", 4);
    }

    @Test
    void aBundleMadeBeforeTheScorerAndTheContractTravelledIsStillRead() throws Exception {
        Path older = BundleFixtures.publishCopy(models, "demo", "v3");
        rewrite(older, "\"cheap_scores\": {", "\"x_cheap_scores\": {");
        rewrite(older, "\"feature_contract\": {", "\"x_feature_contract\": {");

        BundleMetadata metadata = reader.read(older).metadata();

        assertThat(metadata.cheapScores()).isNull();
        assertThat(metadata.featureContract()).isNull();
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
