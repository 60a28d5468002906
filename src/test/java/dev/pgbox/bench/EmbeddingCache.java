package dev.pgbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The corpus's embeddings, kept between runs so that only the first run pays for the model: the
 * vectors of the corpus's shuffled texts, in that order, as little-endian float32 in
 * {@code embeddings.f32}, described by {@code embeddings.json} (model, corpus SHA-256, shuffle seed,
 * dimension). A run that needs more texts than are cached embeds only the missing ones and appends
 * them; a cache made for another corpus or model is started over.
 */
final class EmbeddingCache {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path data;
    private final Path meta;
    private final String model;
    private final String corpusSha;
    private final int dim;

    EmbeddingCache(Path cache, String model, String corpusSha, int dim) {
        this.data = cache.resolve("embeddings-" + model + ".f32");
        this.meta = cache.resolve("embeddings-" + model + ".json");
        this.model = model;
        this.corpusSha = corpusSha;
        this.dim = dim;
    }

    Path file() {
        return data;
    }

    /** Up to {@code max} cached vectors, from the first; none when the cache belongs to another corpus. */
    List<float[]> read(int max) throws IOException {
        List<float[]> out = new ArrayList<>();
        if (!Files.exists(meta) || !Files.exists(data) || !matches(JSON.readTree(meta.toFile()))) {
            return out;
        }
        long count = Files.size(data) / (4L * dim);
        int n = (int) Math.min(count, max);
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(4 * dim).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                buf.clear();
                while (buf.hasRemaining()) {
                    if (ch.read(buf) < 0) {
                        return out;
                    }
                }
                buf.flip();
                float[] v = new float[dim];
                buf.asFloatBuffer().get(v);
                out.add(v);
            }
        }
        return out;
    }

    /** Appends vectors after the {@code already} cached ones (starting the cache over when {@code already} is 0). */
    void append(int already, List<float[]> vectors) throws IOException {
        if (already == 0) {
            ObjectNode m = JSON.createObjectNode();
            m.put("model", model);
            m.put("corpus_sha256", corpusSha);
            m.put("seed", BenchCorpus.SEED);
            m.put("dim", dim);
            Files.writeString(meta, JSON.writeValueAsString(m));
            Files.deleteIfExists(data);
        }
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.truncate(4L * dim * already);
            ch.position(4L * dim * already);
            ByteBuffer buf = ByteBuffer.allocate(4 * dim).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] v : vectors) {
                buf.clear();
                buf.asFloatBuffer().put(v);
                buf.limit(4 * dim);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        }
    }

    private boolean matches(JsonNode m) {
        return model.equals(m.path("model").asText()) && corpusSha.equals(m.path("corpus_sha256").asText())
                && m.path("seed").asLong() == BenchCorpus.SEED && m.path("dim").asInt() == dim;
    }
}
