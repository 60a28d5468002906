package dev.pgbox.memory.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading JSONL and CSV import files: fields, line numbers (for errors and resuming), and refusals naming file:line. */
class MemoryImportReadersTest {
    static List<ImportLine> read(String format, String text) throws Exception {
        try (ImportReader r = ImportReader.open(new BufferedReader(new StringReader(text)), format, "in." + format)) {
            List<ImportLine> out = new ArrayList<>();
            ImportLine l;
            while ((l = r.next()) != null) {
                out.add(l);
            }
            return out;
        }
    }

    @Test
    void theFormatComesFromTheOptionOrTheExtension() {
        assertThat(ImportReader.format(null, Path.of("a/b.jsonl"))).isEqualTo("jsonl");
        assertThat(ImportReader.format(null, Path.of("b.NDJSON"))).isEqualTo("jsonl");
        assertThat(ImportReader.format(null, Path.of("b.csv"))).isEqualTo("csv");
        assertThat(ImportReader.format("CSV", Path.of("b.txt"))).isEqualTo("csv");
        assertThatThrownBy(() -> ImportReader.format(null, Path.of("b.txt"))).hasMessage("cannot tell the format of b.txt");
        assertThatThrownBy(() -> ImportReader.format("xml", Path.of("b.csv"))).hasMessage("unknown import format 'xml'");
    }

    @Test
    void jsonlReadsOneObjectPerLineSkippingBlankLines() throws Exception {
        List<ImportLine> lines = read("jsonl", "\uFEFF{\"content\": \"one\"}\n\n"
                + "{\"content\": \"two\", \"id\": \"0b8e5f3a-2c1d-4e5f-9a7b-6c5d4e3f2a1b\", \"metadata\": {\"k\": 1}, \"tenant\": \"t1\","
                + " \"embedding\": [1, 2, 3]}\r\n");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).line()).isEqualTo(1);
        assertThat(lines.get(0).memory().content()).isEqualTo("one");
        assertThat(lines.get(0).memory().metadata()).isNull();
        assertThat(lines.get(1).line()).isEqualTo(3);
        assertThat(lines.get(1).memory().id()).isEqualTo("0b8e5f3a-2c1d-4e5f-9a7b-6c5d4e3f2a1b");
        assertThat(lines.get(1).memory().metadata().path("k").asInt()).isEqualTo(1);
        assertThat(lines.get(1).memory().tenant()).isEqualTo("t1");
        assertThat(lines.get(1).memory().vector()).containsExactly(1f, 2f, 3f);
    }

    @Test
    void jsonlRefusesBadLinesNamingFileAndLine() {
        assertThatThrownBy(() -> read("jsonl", "{\"content\": \"ok\"}\n{\"content\": \"x\"\n")).hasMessage("in.jsonl:2: not a JSON object");
        assertThatThrownBy(() -> read("jsonl", "[1]\n")).hasMessage("in.jsonl:1: not a JSON object");
        assertThatThrownBy(() -> read("jsonl", "{\"contents\": \"x\"}\n")).hasMessage("in.jsonl:1: unknown field 'contents'");
        assertThatThrownBy(() -> read("jsonl", "{\"id\": \"x\"}\n")).hasMessage("in.jsonl:1: no content");
        assertThatThrownBy(() -> read("jsonl", "{\"content\": 5}\n")).hasMessage("in.jsonl:1: \"content\" is not a string");
        assertThatThrownBy(() -> read("jsonl", "\n\n{\"content\": \"x\", \"metadata\": [1]}\n"))
                .hasMessage("in.jsonl:3: the metadata is a JSON array, not an object");
        assertThatThrownBy(() -> read("jsonl", "{\"content\": \"x\", \"embedding\": \"[1]\"}\n"))
                .hasMessage("in.jsonl:1: the vector is not a JSON array");
    }

    @Test
    void csvReadsTheHeaderAndQuotedFieldsAcrossLines() throws Exception {
        List<ImportLine> lines = read("csv", "Tenant,content,metadata,id,embedding\r\n"
                + "alice,\"first, with a comma\",\"{\"\"k\"\": 1}\",,\r\n"
                + "\n"
                + "bob,\"two\nlines \"\"quoted\"\"\",,0b8e5f3a-2c1d-4e5f-9a7b-6c5d4e3f2a1b,\"[0.5, 1]\"\n"
                + ",last,,,");
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).line()).isEqualTo(2);
        assertThat(lines.get(0).memory().content()).isEqualTo("first, with a comma");
        assertThat(lines.get(0).memory().tenant()).isEqualTo("alice");
        assertThat(lines.get(0).memory().metadata().path("k").asInt()).isEqualTo(1);
        assertThat(lines.get(0).memory().id()).isNull();
        assertThat(lines.get(0).memory().vector()).isNull();
        assertThat(lines.get(1).line()).isEqualTo(4);
        assertThat(lines.get(1).memory().content()).isEqualTo("two\nlines \"quoted\"");
        assertThat(lines.get(1).memory().id()).isEqualTo("0b8e5f3a-2c1d-4e5f-9a7b-6c5d4e3f2a1b");
        assertThat(lines.get(1).memory().vector()).containsExactly(0.5f, 1f);
        assertThat(lines.get(2).line()).isEqualTo(6);
        assertThat(lines.get(2).memory().content()).isEqualTo("last");
        assertThat(lines.get(2).memory().tenant()).isNull();
    }

    @Test
    void csvRefusesBadHeadersAndRowsNamingFileAndLine() {
        assertThatThrownBy(() -> read("csv", "")).hasMessage("in.csv:1: the file is empty");
        assertThatThrownBy(() -> read("csv", "content,text\n")).hasMessage("in.csv:1: unknown column 'text'");
        assertThatThrownBy(() -> read("csv", "id,tenant\n")).hasMessage("in.csv:1: no content column");
        assertThatThrownBy(() -> read("csv", "content,content\n")).hasMessage("in.csv:1: the column 'content' appears twice");
        assertThatThrownBy(() -> read("csv", "content,tenant\na,b\nc\n")).hasMessage("in.csv:3: the row has 1 fields, the header 2");
        assertThatThrownBy(() -> read("csv", "content,metadata\nok,\nx,{nope\n")).hasMessage("in.csv:3: the metadata is not valid JSON");
        assertThatThrownBy(() -> read("csv", "content\n\"open\n")).hasMessage("in.csv:2: a quoted field is not closed");
        assertThatThrownBy(() -> read("csv", "content\n\"a\"b\n")).hasMessage("in.csv:2: text after a closing quote");
    }
}
