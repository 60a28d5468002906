package dev.pgbox.memory.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.pgbox.PgboxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The batched all-MiniLM-L6-v2 embedder with the real model: same vectors as one run per text, and as LangChain4j's. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalEmbedderTest {
    private static LocalEmbedder embedder;

    @BeforeAll
    static void load() {
        // first in this JVM, before LangChain4j's model: the native libraries must come from pgbox's folder
        embedder = (LocalEmbedder) Embedders.named(Embedders.DEFAULT_MODEL);
        embedder.embed("warm up");
    }

    /** ~50 varied texts, each under 128 tokens (where LangChain4j's per-text model cuts). */
    static final List<String> VARIED = List.of(
            "hello",
            "Hello, world!",
            "PostgreSQL is an open source relational database.",
            "pgvector adds a vector type and nearest-neighbour search to PostgreSQL",
            "How do I reset my password?",
            "The quick brown fox jumps over the lazy dog.",
            "42",
            "3.14159 is roughly pi; e is about 2.71828.",
            "SELECT id, content FROM np_notes WHERE deleted_at IS NULL ORDER BY embedding <#> $1 LIMIT 10;",
            "def embed(texts): return [model(t) for t in texts]",
            "Ünïcödé têxt wîth àccents and ß",
            "日本語のテキストも埋め込めます",
            "Текст на русском языке",
            "emoji 🎉🚀 and symbols © ® ™",
            "a",
            "I",
            "UPPER CASE SHOUTING TEXT",
            "mixed CaSe WoRdS here",
            "tabs\tand\nnewlines\r\nin text",
            "   leading and trailing spaces   ",
            "e-mail: someone@example.com, url: https://example.org/path?q=1",
            "The cat sat on the mat.",
            "A feline rested upon the rug.",
            "Stock markets fell sharply on Monday after the central bank raised interest rates.",
            "Photosynthesis converts light energy into chemical energy stored in glucose.",
            "Debian is a free operating system developed by volunteers around the world.",
            "libssl3 - Secure Sockets Layer toolkit - shared libraries",
            "This package contains the shared libraries needed by programs linked against OpenSSL. "
                    + "It provides cryptographic primitives, TLS and DTLS.",
            "The meeting was moved to Thursday at 3 pm because the room was booked.",
            "Remember to water the plants twice a week during summer.",
            "Error: connection refused (is the server running on port 5432?)",
            "user_id=17 tenant=acme plan=pro",
            "{\"kind\": \"note\", \"tags\": [\"a\", \"b\"]}",
            "a b c d e f g h i j k l m n o p q r s t u v w x y z",
            "supercalifragilisticexpialidocious",
            "antidisestablishmentarianism is a long word",
            "Rust, Go, Java and Python are programming languages.",
            "The mitochondria is the powerhouse of the cell.",
            "She sells sea shells by the sea shore.",
            "To be, or not to be, that is the question.",
            "Patroni keeps a PostgreSQL cluster highly available using etcd for leader election, and it "
                    + "promotes a replica automatically when the primary fails.",
            "Backups are taken with pgBackRest: full, differential and incremental, with point-in-time recovery "
                    + "from the archived write-ahead log.",
            "Row level security restricts which rows each tenant can read or change, enforced by policies on "
                    + "the table that compare tenant_id with a setting of the session.",
            "Hybrid search merges a vector ranking and a full-text ranking with reciprocal rank fusion.",
            "!!!???...",
            "0x1F 0b1010 1e10 -7",
            "naïve café résumé coöperate",
            "The invoice total is $1,234.56 including VAT.",
            "Call me at +1 (555) 010-9999 tomorrow morning.",
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut "
                    + "labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation.");

    /**
     * One text per run gives LangChain4j's vectors (tokenizer, model inputs, pooling and normalisation are
     * the same). In a batch they move a little: the model is dynamically quantized, its activations are
     * scaled to int8 with ONE scale per tensor (DynamicQuantizeLinear), so the other texts of a batch, and
     * padding, change the rounding of every text. Measured: cosine 0.97-1.0 to the single-run vector.
     */
    @Test
    void vectorsMatchLangChain4jsPerTextModelForShortTexts() {
        List<float[]> batched = embedder.embed(VARIED);
        AllMiniLmL6V2QuantizedEmbeddingModel reference = new AllMiniLmL6V2QuantizedEmbeddingModel();
        assertThat(batched).hasSize(VARIED.size());
        double sum = 0;
        double min = 1;
        for (int i = 0; i < VARIED.size(); i++) {
            String text = VARIED.get(i);
            assertThat(embedder.tokenIds(text).length).as("tokens of %s", text).isLessThan(128);
            float[] theirs = reference.embed(TextSegment.from(text)).content().vector();
            float[] alone = embedder.embed(List.of(text)).get(0);
            assertThat(cosine(alone, theirs)).as("cosine for %s alone", text).isGreaterThanOrEqualTo(0.999);
            double c = cosine(batched.get(i), theirs);
            sum += c;
            min = Math.min(min, c);
            assertThat(c).as("cosine for %s in a batch", text).isGreaterThanOrEqualTo(0.95);
        }
        System.out.printf("batched vs LangChain4j per text: mean cosine %.4f, min %.4f%n", sum / VARIED.size(), min);
        assertThat(sum / VARIED.size()).isGreaterThan(0.98);
    }

    @Test
    void vectorsAreUnitLength384dAndKeepTheCallersOrderAcrossBatches() {
        // more texts than one batch, of very different lengths, so sorting by length reorders them
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            String base = VARIED.get(i % VARIED.size());
            texts.add(i % 3 == 0 ? base : (base + " ").repeat(1 + i % 4) + "#" + i);
        }
        List<float[]> batched = embedder.embed(texts);
        assertThat(batched).hasSize(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            float[] v = batched.get(i);
            assertThat(v).hasSize(384);
            assertThat(norm(v)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            float[] alone = embedder.embed(List.of(texts.get(i))).get(0);
            // the same text, not its neighbour's: a neighbour in the list is another text (or the same one repeated)
            double self = cosine(v, alone);
            assertThat(self).as("text %d alone vs in a padded batch", i).isGreaterThan(0.95);
            if (i > 0 && !texts.get(i - 1).startsWith(VARIED.get(i % VARIED.size()))) {
                assertThat(self).isGreaterThan(cosine(batched.get(i - 1), alone));
            }
        }
    }

    @Test
    void paraphrasesAreCloserThanUnrelatedTexts() {
        List<String[]> pairs = List.of(
                new String[] {"How do I reset my password?", "I forgot my password and need to change it."},
                new String[] {"The cat sat on the mat.", "A kitten was lying on the rug."},
                new String[] {"Stock prices dropped after the interest rate hike.", "Shares fell because the bank raised rates."},
                new String[] {"The database server crashed last night.", "Our PostgreSQL instance went down overnight."},
                new String[] {"Add two cups of flour and bake for 30 minutes.", "Bake it half an hour after mixing in the flour."});
        List<String> texts = new ArrayList<>();
        pairs.forEach(p -> texts.addAll(List.of(p)));
        List<float[]> v = embedder.embed(texts);
        for (int i = 0; i < pairs.size(); i++) {
            double paraphrase = cosine(v.get(2 * i), v.get(2 * i + 1));
            for (int j = 0; j < pairs.size(); j++) {
                if (j != i) {
                    assertThat(paraphrase).as("%s ~ %s vs %s", texts.get(2 * i), texts.get(2 * i + 1), texts.get(2 * j + 1))
                            .isGreaterThan(cosine(v.get(2 * i), v.get(2 * j + 1)));
                }
            }
        }
    }

    @Test
    void longTextsAreEmbeddedFromTheirFirst256Tokens() {
        String head = "PostgreSQL stores rows in heap pages and indexes them with B-trees. ".repeat(30);
        float[] a = embedder.embed(head + "Cats purr when they are content and sleep in the sun.");
        float[] b = embedder.embed(head + "Volcanoes erupt molten rock, ash and gas from the earth's mantle.");
        assertThat(embedder.tokenIds(head + "tail").length).isEqualTo(Embedders.MAX_TOKENS);
        assertThat(cosine(a, b)).isGreaterThan(0.99999);
        // but the tokens between 128 and 256 count (LangChain4j's model stops at 128)
        String shortHead = "PostgreSQL stores rows in heap pages. ".repeat(16);
        assertThat(embedder.tokenIds(shortHead).length).isBetween(128, 200);
        float[] c = embedder.embed(shortHead + "Cats purr when they are content and sleep in the sun.");
        float[] d = embedder.embed(shortHead + "Volcanoes erupt molten rock, ash and gas from the earth's mantle.");
        assertThat(cosine(c, d)).isLessThan(0.999);
    }

    @Test
    void emptyListGivesEmptyListAndNullTextsAreRefused() {
        assertThat(embedder.embed(List.of())).isEmpty();
        assertThatThrownBy(() -> embedder.embed(java.util.Arrays.asList("a", null))).isInstanceOf(NullPointerException.class);
        assertThat(embedder.dim()).isEqualTo(384);
        assertThat(embedder.model()).isEqualTo("all-minilm-l6-v2-q");
        assertThat(Embedders.named("all-minilm-l6-v2-q")).isSameAs(embedder);
        assertThatThrownBy(() -> Embedders.named("text-embedding-3-small")).isInstanceOf(PgboxException.class);
    }

    @Test
    void concurrentCallersGetTheSameVectorsAsOneCaller() throws Exception {
        List<float[]> expected = embedder.embed(VARIED);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<float[]>>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit(() -> embedder.embed(VARIED)));
            }
            for (Future<List<float[]>> run : runs) {
                List<float[]> got = run.get();
                for (int i = 0; i < expected.size(); i++) {
                    // the same batches as the single caller's, so the same rounding
                    assertThat(cosine(got.get(i), expected.get(i))).isGreaterThan(0.99999);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void nativeLibrariesAreLoadedFromPgboxsOwnFolderAndDjlIsOffline() throws IOException {
        Path folder = NativeLibraries.prepare();
        Path base = folder.getParent();
        assertThat(base.getFileName().toString()).matches("pgbox-\\d+-native");
        assertThat(base.getParent()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
        for (Path dir : List.of(base, folder)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS)))
                    .isEqualTo("rwx------");
        }
        // what this process really mapped: ONNX Runtime and the tokenizer from that folder, nothing from ~/.djl.ai or onnxruntime-java*
        String maps = Files.readString(Path.of("/proc/self/maps"));
        assertThat(maps).contains(folder.resolve("libonnxruntime.so").toString())
                .contains(folder.resolve("libonnxruntime4j_jni.so").toString())
                .contains(folder.resolve("libtokenizers.so").toString())
                .doesNotContain(".djl.ai").doesNotContain("onnxruntime-java");
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
    }

    @Test
    void aNativeFolderOthersCanWriteOrALinkIsRefused(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path fresh = NativeLibraries.ownedFolder(tmp.resolve("fresh"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rwx------");
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> NativeLibraries.ownedFolder(open)).isInstanceOf(PgboxException.class)
                .hasMessageContaining("cannot use " + open);
        Path link = Files.createSymbolicLink(tmp.resolve("link"), fresh);
        assertThatThrownBy(() -> NativeLibraries.ownedFolder(link)).isInstanceOf(PgboxException.class);
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot / (norm(a) * norm(b));
    }

    static double norm(float[] a) {
        double s = 0;
        for (float x : a) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}
