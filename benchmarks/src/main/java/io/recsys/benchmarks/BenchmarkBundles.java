package io.recsys.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Bundles for the inference benchmark: the committed demo bundle, and copies of its ranker with large random catalogues
 * (retrieval cost grows with the catalogue, ranking cost does not). The copies carry no self-test samples (their
 * embeddings are not a trained model's).
 */
final class BenchmarkBundles {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private BenchmarkBundles() {}

    static Path demoBundle(Path root) throws IOException {
        try (Stream<Path> versions = Files.list(root.resolve("models").resolve("demo"))) {
            return versions.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow(() -> new IOException("no demo bundle under models/demo"));
        }
    }

    /** Writes {@code <modelDir>/<name>/v1/}: the demo ranker with {@code items} random item embeddings. */
    static void writeCatalogue(Path demo, Path modelDir, String name, int items, long seed) throws IOException {
        Path bundle = Files.createDirectories(modelDir.resolve(name).resolve("v1"));
        ObjectNode metadata =
                (ObjectNode) JSON.readTree(demo.resolve("metadata.json").toFile());
        int dimension = metadata.path("retrieval").path("dimension").asInt();
        Files.copy(demo.resolve("ranker.onnx"), bundle.resolve("ranker.onnx"));
        Files.writeString(
                bundle.resolve("items.txt"),
                IntStream.range(0, items).mapToObj(i -> "i" + i).collect(Collectors.joining("\n", "", "\n")));
        Random random = new Random(seed);
        for (String file : new String[] {"item_embeddings.f32", "context_embeddings.f32"}) {
            ByteBuffer bytes =
                    ByteBuffer.allocate(items * dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < items * dimension; i++) {
                bytes.putFloat((float) (random.nextGaussian() * 0.1));
            }
            Files.write(bundle.resolve(file), bytes.array());
        }
        metadata.put("name", name);
        metadata.put("version", "v1");
        metadata.remove("samples");
        ObjectNode retrieval = (ObjectNode) metadata.path("retrieval");
        ((ObjectNode) retrieval.path("items")).put("count", items);
        for (String key : new String[] {"item_embeddings", "context_embeddings"}) {
            ObjectNode matrix = (ObjectNode) retrieval.path(key);
            matrix.putArray("shape").add(items).add(dimension);
        }
        ObjectNode files = metadata.putObject("files");
        for (String file : new String[] {"ranker.onnx", "items.txt", "item_embeddings.f32", "context_embeddings.f32"}) {
            byte[] content = Files.readAllBytes(bundle.resolve(file));
            files.putObject(file).put("sha256", sha256(content)).put("bytes", content.length);
        }
        Files.writeString(
                bundle.resolve("metadata.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(metadata));
    }

    static int inputWidth(Path demo) throws IOException {
        JsonNode metadata = JSON.readTree(demo.resolve("metadata.json").toFile());
        return metadata.path("ranker").path("input").path("shape").get(1).asInt();
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
