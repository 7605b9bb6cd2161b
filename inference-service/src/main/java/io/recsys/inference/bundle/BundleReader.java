package io.recsys.inference.bundle;

import io.recsys.inference.bundle.BundleMetadata.Matrix;
import io.recsys.inference.retrieval.Embeddings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a bundle directory and refuses anything a server should not serve: an unknown format, a file that does not
 * match its checksum, shapes that disagree, a feature layout it cannot assemble.
 */
@Component
public class BundleReader {

    public static final int FORMAT_VERSION = 1;
    private static final String METADATA = "metadata.json";

    private final JsonMapper json = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public Bundle read(Path directory) throws BundleException {
        BundleMetadata metadata = metadata(directory);
        if (metadata.formatVersion() != FORMAT_VERSION) {
            throw new BundleException("format_version " + metadata.formatVersion()
                    + " is not supported (this server reads " + FORMAT_VERSION + ")");
        }
        require(
                metadata.ranker() != null && metadata.retrieval() != null && metadata.files() != null,
                "metadata lacks ranker, retrieval or files");
        // the directory name is the version everywhere (watching, pinning, requests): they must agree
        require(
                directory.getFileName().toString().equals(metadata.version()),
                "metadata says version " + metadata.version() + ", the directory is " + directory.getFileName());
        for (Map.Entry<String, BundleMetadata.FileEntry> file : metadata.files().entrySet()) {
            verifyChecksum(directory, file.getKey(), file.getValue());
        }
        for (String named : List.of(
                metadata.ranker().file(),
                metadata.retrieval().items().file(),
                metadata.retrieval().itemEmbeddings().file(),
                metadata.retrieval().contextEmbeddings().file())) {
            require(metadata.files().containsKey(named), named + " has no checksum in metadata.files");
        }
        require(
                "onnx".equals(metadata.ranker().format()),
                "ranker format " + metadata.ranker().format() + " is not supported");
        List<Integer> input = metadata.ranker().input().shape();
        require(
                input.size() == 2 && input.get(1) != null && input.get(1) > 0,
                "ranker input shape must be [batch, width]");
        BundleMetadata.Retrieval retrieval = metadata.retrieval();
        require(
                "recency_weighted_mean".equals(retrieval.userVector().method()),
                "user vector method " + retrieval.userVector().method() + " is unknown");
        int dimension = retrieval.dimension();
        String[] ids = itemIds(directory.resolve(retrieval.items().file()));
        require(
                ids.length == retrieval.items().count(),
                ids.length + " item ids, metadata says " + retrieval.items().count());
        float[] items = matrix(directory, retrieval.itemEmbeddings(), ids.length, dimension);
        float[] context = matrix(directory, retrieval.contextEmbeddings(), ids.length, dimension);
        if ("item_embeddings".equals(retrieval.userVector().embeddings())) {
            context = items;
        }
        Embeddings embeddings = Embeddings.of(
                ids,
                dimension,
                items,
                context,
                retrieval.userVector().decay(),
                retrieval.userVector().maxItems());
        FeatureLayout layout = FeatureLayout.of(metadata.ranker().features(), input.get(1), dimension);
        return new Bundle(metadata, embeddings, layout, samples(directory, metadata));
    }

    private BundleMetadata metadata(Path directory) throws BundleException {
        try {
            return json.readValue(directory.resolve(METADATA).toFile(), BundleMetadata.class);
        } catch (JacksonException e) {
            throw new BundleException("unreadable " + METADATA + ": " + e.getOriginalMessage(), e);
        }
    }

    private JsonNode samples(Path directory, BundleMetadata metadata) throws BundleException {
        if (metadata.samples() == null) {
            return null;
        }
        require(
                metadata.files().containsKey(metadata.samples().file()),
                metadata.samples().file() + " has no checksum in metadata.files");
        try {
            return json.readTree(directory.resolve(metadata.samples().file()).toFile());
        } catch (JacksonException e) {
            throw new BundleException("unreadable " + metadata.samples().file() + ": " + e.getOriginalMessage(), e);
        }
    }

    private static void verifyChecksum(Path directory, String file, BundleMetadata.FileEntry expected)
            throws BundleException {
        Path path = directory.resolve(file).normalize();
        require(path.getParent().equals(directory.normalize()), "file " + file + " lies outside the bundle");
        try (InputStream in = new DigestInputStream(Files.newInputStream(path), MessageDigest.getInstance("SHA-256"))) {
            long size = in.transferTo(java.io.OutputStream.nullOutputStream());
            String actual = HexFormat.of()
                    .formatHex(((DigestInputStream) in).getMessageDigest().digest());
            require(
                    size == expected.bytes() && actual.equals(expected.sha256()),
                    file + " does not match its checksum");
        } catch (IOException e) {
            throw new BundleException(file + " cannot be read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String[] itemIds(Path file) throws BundleException {
        try {
            String[] ids = Files.readAllLines(file).stream()
                    .filter(line -> !line.isEmpty())
                    .toArray(String[]::new);
            require(java.util.Arrays.stream(ids).distinct().count() == ids.length, "item ids are not unique");
            return ids;
        } catch (IOException e) {
            throw new BundleException("cannot read item ids: " + e.getMessage(), e);
        }
    }

    private static float[] matrix(Path directory, Matrix spec, int rows, int dimension) throws BundleException {
        require(
                "float32".equals(spec.dtype()) && "little".equals(spec.byteOrder()),
                spec.file() + " must be float32 little-endian");
        require(
                spec.shape().equals(List.of(rows, dimension)),
                spec.file() + " has shape " + spec.shape() + ", expected [" + rows + ", " + dimension + "]");
        try {
            byte[] bytes = Files.readAllBytes(directory.resolve(spec.file()));
            require(
                    bytes.length == rows * dimension * Float.BYTES,
                    spec.file() + " has " + bytes.length + " bytes, expected " + rows * dimension * Float.BYTES);
            float[] values = new float[rows * dimension];
            ByteBuffer.wrap(bytes)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(values);
            for (float v : values) {
                require(Float.isFinite(v), spec.file() + " holds a value that is not finite");
            }
            return values;
        } catch (IOException e) {
            throw new BundleException("cannot read " + spec.file() + ": " + e.getMessage(), e);
        }
    }

    private static void require(boolean condition, String problem) throws BundleException {
        if (!condition) {
            throw new BundleException(problem);
        }
    }
}
