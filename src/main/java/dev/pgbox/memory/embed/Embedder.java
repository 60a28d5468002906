package dev.pgbox.memory.embed;

import java.util.List;

/** Turns texts into vectors. Implementations are thread-safe and keep no network connection. */
public interface Embedder {
    /** The model's name as collections record it, e.g. all-minilm-l6-v2-q. */
    String model();

    /** The length of every vector it returns. */
    int dim();

    /** One unit-length vector per text, in order; the texts are embedded in batches. */
    List<float[]> embed(List<String> texts);

    /** One text. */
    default float[] embed(String text) {
        return embed(List.of(text)).get(0);
    }
}
