package dev.pgbox.bench;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.pgbox.memory.embed.Embedder;
import dev.pgbox.memory.embed.Embedders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The driver of bench/embed.sh: embeds the texts of a file (one per line) with pgbox's batched embedder
 * and with LangChain4j's per-text model (its embedAll, which runs one text per ONNX run on a thread per
 * CPU), in one JVM, and prints texts/s for both, how close the two sets of vectors are, and the ratio last.
 * pgbox's embedder loads first, so the native libraries come from pgbox's folder for both.
 * Usage: EmbedBench FILE [REPEAT]
 */
public final class EmbedBench {
    private EmbedBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> texts = Files.readAllLines(Path.of(args[0])).stream().filter(t -> !t.isBlank()).toList();
        int repeat = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.printf("texts: %d, %.0f characters on average; %d CPUs; best of %d runs each%n", texts.size(),
                texts.stream().mapToInt(String::length).average().orElse(0), Runtime.getRuntime().availableProcessors(), repeat);

        Embedder pgbox = Embedders.named(Embedders.DEFAULT_MODEL);
        long t0 = System.nanoTime();
        pgbox.embed(texts.subList(0, Math.min(64, texts.size()))); // load and warm up
        System.out.printf("pgbox: model loaded and warmed in %.2f s%n", (System.nanoTime() - t0) / 1e9);
        AllMiniLmL6V2QuantizedEmbeddingModel langchain = new AllMiniLmL6V2QuantizedEmbeddingModel();
        List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
        langchain.embedAll(segments.subList(0, Math.min(64, segments.size())));

        List<float[]> ours = null;
        List<Embedding> theirs = null;
        double[] best = new double[4]; // pgbox wall, pgbox per CPU second, langchain4j wall, langchain4j per CPU second
        for (int r = 0; r < repeat; r++) {
            long s = System.nanoTime();
            long c = cpu();
            ours = pgbox.embed(texts);
            double[] run = {texts.size() / ((System.nanoTime() - s) / 1e9), texts.size() / ((cpu() - c) / 1e9), 0, 0};
            s = System.nanoTime();
            c = cpu();
            theirs = langchain.embedAll(segments).content();
            run[2] = texts.size() / ((System.nanoTime() - s) / 1e9);
            run[3] = texts.size() / ((cpu() - c) / 1e9);
            for (int i = 0; i < 4; i++) {
                best[i] = Math.max(best[i], run[i]);
            }
            System.out.printf("run %d: pgbox %.1f texts/s (%.1f per CPU second), langchain4j %.1f texts/s (%.1f per CPU second)%n",
                    r + 1, run[0], run[1], run[2], run[3]);
        }
        double[] cos = new double[texts.size()];
        for (int i = 0; i < cos.length; i++) {
            cos[i] = cosine(ours.get(i), theirs.get(i).vector());
        }
        double[] sorted = cos.clone();
        Arrays.sort(sorted);
        System.out.printf("cosine pgbox vs langchain4j, same text: mean %.4f, median %.4f, 1st percentile %.4f, min %.4f"
                + " (batch rounding of the quantized model; and LangChain4j reads only the first 128 tokens, pgbox 256)%n",
                Arrays.stream(cos).average().orElse(0), sorted[sorted.length / 2], sorted[sorted.length / 100], sorted[0]);
        System.out.printf("pgbox batched:          %7.1f texts/s, %6.1f texts per CPU second%n", best[0], best[1]);
        System.out.printf("langchain4j per text:   %7.1f texts/s, %6.1f texts per CPU second%n", best[2], best[3]);
        System.out.printf("ratio pgbox/langchain4j: %.2fx texts/s, %.2fx per CPU second%n", best[0] / best[2], best[1] / best[3]);
    }

    /** This process's CPU time in ns (all threads, ONNX Runtime's native ones included). */
    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
