package dev.pgbox.memory.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * all-MiniLM-L6-v2 (quantized ONNX, 384 dimensions) run in-process by ONNX Runtime, many texts per run.
 *
 * <p>What sentence-transformers does for this model, batched: the texts are tokenized by the model's own
 * Hugging Face tokenizer (DJL's binding; lower-cased WordPiece with [CLS] and [SEP]) and cut at
 * {@value Embedders#MAX_TOKENS} tokens, the model's max_seq_length: a longer text is embedded from its
 * first 256 tokens (about 150-200 English words) and the rest is ignored. The texts are sorted by token
 * count and grouped into batches of similar length, so each ONNX run pads little; the model's
 * last_hidden_state [batch, seq, 384] is mean-pooled over each text's real tokens (the attention mask)
 * and scaled to unit length. Results come back in the caller's order.
 *
 * <p>One ONNX session per process, created on the first {@link #embed(List)} (so naming the model costs
 * nothing), using every CPU for each run, its threads sleeping rather than spinning between operators;
 * ONNX Runtime's {@code run} and the tokenizer are thread-safe, so this class is too.
 *
 * <p>The model is dynamically quantized: each layer's activations are rounded to int8 with one scale for
 * the whole batch tensor, so a text's vector depends slightly on the other texts of its batch (cosine
 * 0.97-1.0 to the same text embedded alone, 0.99 on average). That is the quantized model's own rounding
 * noise, harmless for ranking; a text embedded alone gives LangChain4j's vector exactly. The model and tokenizer are read from pgbox's jar; nothing is downloaded.
 *
 * <p>LangChain4j's model class of the same name embeds one text per run and cuts at 128 tokens (its
 * tokenizer file's setting); for texts under 128 tokens both give the same vectors (cosine above 0.999).
 */
final class LocalEmbedder implements Embedder {
    static final String MODEL_RESOURCE = "all-minilm-l6-v2-q.onnx";
    static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-q-tokenizer.json";

    /** Texts tokenized at once: bounds the memory a huge list needs, and is plenty to sort into even batches. */
    private static final int SLICE = 1024;
    /** At most this many texts per ONNX run. */
    private static final int MAX_BATCH = 32;
    /**
     * At most this many (padded) tokens per ONNX run, so long texts go in smaller batches: about 1,000 keeps
     * a layer's activations in the CPU's caches; measured here (2 CPUs, 500 package descriptions), texts per
     * CPU second: 75 at 8,192 tokens per run, 105 at 4,096, 115-130 at 1,024, and at 512 one CPU only.
     */
    private static final int MAX_BATCH_TOKENS = 1024;

    private volatile Runtime runtime;

    /** The loaded model: the ONNX session and the tokenizer. */
    private record Runtime(OrtEnvironment env, OrtSession session, boolean typeIds, HuggingFaceTokenizer tokenizer) {
    }

    @Override
    public String model() {
        return Embedders.DEFAULT_MODEL;
    }

    @Override
    public int dim() {
        return Embedders.DEFAULT_DIM;
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        if (texts.isEmpty()) {
            return List.of();
        }
        for (int i = 0; i < texts.size(); i++) {
            Objects.requireNonNull(texts.get(i), "text " + i + " is null");
        }
        Runtime rt = runtime();
        float[][] out = new float[texts.size()][];
        for (int from = 0; from < texts.size(); from += SLICE) {
            int to = Math.min(texts.size(), from + SLICE);
            embedSlice(rt, texts.subList(from, to), out, from);
        }
        return List.of(out);
    }

    /** Tokenizes one slice, sorts it by length and runs it batch by batch into {@code out[offset + i]}. */
    private void embedSlice(Runtime rt, List<String> texts, float[][] out, int offset) {
        Encoding[] enc = rt.tokenizer().batchEncode(texts);
        Integer[] order = new Integer[enc.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> enc[i].getIds().length));
        int start = 0;
        while (start < order.length) {
            // sorted ascending, so the last text added is the longest: the batch's padded length
            int end = start + 1;
            while (end < order.length && end - start < MAX_BATCH
                    && (end - start + 1) * enc[order[end]].getIds().length <= MAX_BATCH_TOKENS) {
                end++;
            }
            run(rt, enc, Arrays.copyOfRange(order, start, end), out, offset);
            start = end;
        }
    }

    /** One ONNX run over the texts {@code rows} (indexes into {@code enc}), padded to the longest of them. */
    private void run(Runtime rt, Encoding[] enc, Integer[] rows, float[][] out, int offset) {
        int batch = rows.length;
        int seq = 0;
        for (int r : rows) {
            seq = Math.max(seq, enc[r].getIds().length);
        }
        long[] ids = new long[batch * seq];
        long[] mask = new long[batch * seq];
        for (int b = 0; b < batch; b++) {
            Encoding e = enc[rows[b]];
            System.arraycopy(e.getIds(), 0, ids, b * seq, e.getIds().length);
            System.arraycopy(e.getAttentionMask(), 0, mask, b * seq, e.getAttentionMask().length);
        }
        long[] shape = {batch, seq};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(rt.env(), LongBuffer.wrap(ids), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(rt.env(), LongBuffer.wrap(mask), shape));
            if (rt.typeIds()) {
                // one sentence per text: every token type is 0
                inputs.put("token_type_ids", OnnxTensor.createTensor(rt.env(), LongBuffer.wrap(new long[batch * seq]), shape));
            }
            try (OrtSession.Result result = rt.session().run(inputs)) {
                Optional<OnnxValue> hidden = result.get("last_hidden_state");
                FloatBuffer h = ((OnnxTensor) hidden.orElseGet(() -> result.get(0))).getFloatBuffer();
                for (int b = 0; b < batch; b++) {
                    out[offset + rows[b]] = meanPool(h, mask, b, seq);
                }
            }
        } catch (OrtException e) {
            throw new PgboxException(ErrorKind.FAILURE, "the embedding model failed on " + batch + " texts",
                    e.getMessage(), "report this as a pgbox bug with the texts that failed", e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** The average of row {@code b}'s token vectors where the mask is 1, scaled to unit length. */
    private float[] meanPool(FloatBuffer h, long[] mask, int b, int seq) {
        int dim = Embedders.DEFAULT_DIM;
        double[] sum = new double[dim];
        int count = 0;
        for (int t = 0; t < seq; t++) {
            if (mask[b * seq + t] == 0) {
                continue;
            }
            count++;
            int base = (b * seq + t) * dim;
            for (int d = 0; d < dim; d++) {
                sum[d] += h.get(base + d);
            }
        }
        double norm = 0;
        for (int d = 0; d < dim; d++) {
            sum[d] /= Math.max(count, 1);
            norm += sum[d] * sum[d];
        }
        norm = Math.max(Math.sqrt(norm), 1e-12);
        float[] v = new float[dim];
        for (int d = 0; d < dim; d++) {
            v[d] = (float) (sum[d] / norm);
        }
        return v;
    }

    private Runtime runtime() {
        Runtime rt = runtime;
        if (rt == null) {
            synchronized (this) {
                if (runtime == null) {
                    runtime = load();
                }
                rt = runtime;
            }
        }
        return rt;
    }

    /** Loads ONNX Runtime, the model and the tokenizer, all from pgbox's jar. */
    private static Runtime load() {
        NativeLibraries.prepare();
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(java.lang.Runtime.getRuntime().availableProcessors());
            options.setInterOpNumThreads(1);
            // ONNX Runtime's workers otherwise busy-wait between operators: on a small box shared with
            // PostgreSQL that burns the CPU the other worker needs (measured here: ~40% more texts per CPU second)
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            OrtSession session = env.createSession(read(MODEL_RESOURCE), options);
            HuggingFaceTokenizer tokenizer;
            try (InputStream json = stream(TOKENIZER_RESOURCE)) {
                tokenizer = HuggingFaceTokenizer.newInstance(json, Map.of(
                        "padding", "false", // padded per batch here, to the batch's longest text
                        "truncation", "true",
                        "maxLength", Integer.toString(Embedders.MAX_TOKENS),
                        "addSpecialTokens", "true"));
            }
            return new Runtime(env, session, session.getInputNames().contains("token_type_ids"), tokenizer);
        } catch (OrtException | IOException | RuntimeException e) {
            if (e instanceof PgboxException p) {
                throw p;
            }
            throw new PgboxException(ErrorKind.FAILURE, "cannot load the embedding model " + Embedders.DEFAULT_MODEL,
                    e.toString(), "rebuild pgbox (mvn package); the model and its tokenizer ship inside pgbox's jar", e);
        }
    }

    private static byte[] read(String resource) throws IOException {
        try (InputStream in = stream(resource)) {
            return in.readAllBytes();
        }
    }

    private static InputStream stream(String resource) throws IOException {
        InputStream in = LocalEmbedder.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IOException(resource + " is not on the class path");
        }
        return in;
    }

    /** For tests: the token ids the model sees for {@code text} (with [CLS] and [SEP], cut at the limit). */
    long[] tokenIds(String text) {
        return runtime().tokenizer().encode(text).getIds();
    }
}
