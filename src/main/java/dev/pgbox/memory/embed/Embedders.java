package dev.pgbox.memory.embed;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;

/** The embedding models pgbox carries, by the name collections record. Each is loaded once per process, on first use. */
public final class Embedders {
    /** The built-in model: all-MiniLM-L6-v2, quantized, 384 dimensions, run by ONNX Runtime in-process. */
    public static final String DEFAULT_MODEL = "all-minilm-l6-v2-q";
    public static final int DEFAULT_DIM = 384;
    /**
     * The built-in model reads at most this many tokens of a text (its max_seq_length, counting [CLS] and
     * [SEP]; about 150-200 English words): a longer text is embedded from its beginning.
     */
    public static final int MAX_TOKENS = 256;

    private static volatile Embedder local;

    private Embedders() {
    }

    /** The model named {@code name}; only the built-in one exists. */
    public static Embedder named(String name) {
        if (!DEFAULT_MODEL.equals(name)) {
            throw new PgboxException(ErrorKind.CONFIG, "unknown embedding model '" + name + "'",
                    "pgbox carries one model, " + DEFAULT_MODEL + " (384 dimensions), and runs it with no network",
                    "use MEMORY_MODEL=" + DEFAULT_MODEL + ", or create the collection with --model external and supply vectors");
        }
        Embedder e = local;
        if (e == null) {
            synchronized (Embedders.class) {
                if (local == null) {
                    local = new LocalEmbedder();
                }
                e = local;
            }
        }
        return e;
    }
}
