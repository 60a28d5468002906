package dev.pgbox.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the store decides without a server: collection specs, error positions, the COPY text and the file scan. */
class MemoryStoreTest {
    static CollectionSpec spec(int dim, String model, String textConfig) {
        return new CollectionSpec(new AppName("notes"), new CollectionName("facts"), dim, Metric.COSINE, false, textConfig, model);
    }

    @Test
    void specsPgboxCannotMakeAreRefusedBeforeAnyConnection() {
        Collections.check(spec(384, "all-minilm-l6-v2-q", "english"));
        Collections.check(spec(1536, "external", "simple"));
        Collections.check(spec(2000, "external", "english"));
        assertThatThrownBy(() -> Collections.check(spec(1536, "all-minilm-l6-v2-q", "english")))
                .hasMessage("--dim 1536 does not fit the model all-minilm-l6-v2-q");
        assertThatThrownBy(() -> Collections.check(spec(0, "external", "english"))).hasMessage("invalid dimension 0 for collection 'facts'");
        assertThatThrownBy(() -> Collections.check(spec(2001, "external", "english")))
                .hasMessage("invalid dimension 2001 for collection 'facts'");
        assertThatThrownBy(() -> Collections.check(spec(384, "gpt", "english"))).hasMessage("unknown embedding model 'gpt'")
                .extracting(e -> ((PgboxException) e).kind()).isEqualTo(ErrorKind.USAGE);
        assertThatThrownBy(() -> Collections.check(spec(384, "all-minilm-l6-v2-q", " "))).hasMessage("no text search configuration");
    }

    @Test
    void errorsOfManyMemoriesNameTheirPosition() {
        PgboxException e = new PgboxException(ErrorKind.USAGE, "the text is empty", "why", "fix");
        assertThat(Store.at(null, e)).isSameAs(e);
        PgboxException at = Store.at("notes.jsonl:12", e);
        assertThat(at.what()).isEqualTo("notes.jsonl:12: the text is empty");
        assertThat(at.reason()).isEqualTo("why");
        assertThat(at.fix()).isEqualTo("fix");
        assertThat(at.kind()).isEqualTo(ErrorKind.USAGE);
    }

    @Test
    void copyTextQuotesEveryValueAndLeavesNullsUnquoted() {
        String csv = Importer.csv(List.of(new Store.Row("0b8e5f3a-2c1d-4e5f-9a7b-6c5d4e3f2a1b", null, "say \"hi\",\nthen go", "{\"a\":1}",
                "[1.0,2.0]"), new Store.Row("1b8e5f3a-2c1d-4e5f-9a7b-6c5d4e3f2a1b", "bob", "x", "{}", "[0.5,0.5]")));
        assertThat(csv).isEqualTo("\"0b8e5f3a-2c1d-4e5f-9a7b-6c5d4e3f2a1b\",,\"say \"\"hi\"\",\nthen go\",\"{\"\"a\"\":1}\",\"[1.0,2.0]\"\n"
                + "\"1b8e5f3a-2c1d-4e5f-9a7b-6c5d4e3f2a1b\",\"bob\",\"x\",\"{}\",\"[0.5,0.5]\"\n");
    }

    @Test
    void theScanHashesTheFileAndCountsItsLines(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.jsonl");
        Files.writeString(f, "abc\n", StandardCharsets.UTF_8);
        Importer.Scan s = Importer.scan(f);
        // sha256("abc\n")
        assertThat(s.sha256()).isEqualTo("edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb");
        assertThat(s.lines()).isEqualTo(1);
        Files.writeString(f, "a\nb\nc", StandardCharsets.UTF_8);
        assertThat(Importer.scan(f).lines()).isEqualTo(3);
        Files.writeString(f, "", StandardCharsets.UTF_8);
        assertThat(Importer.scan(f).lines()).isZero();
    }

    @Test
    void theProgressLineShowsABarAndTheShareDone() {
        String half = Importer.bar(500, 1000, 480, 20, System.nanoTime());
        assertThat(half).startsWith("[##########..........]  50 %  line 500 of 1000, 480 imported, 20 skipped");
        assertThat(Importer.bar(1000, 1000, 1000, 0, System.nanoTime())).startsWith("[####################] 100 %").doesNotContain("skipped");
    }
}
