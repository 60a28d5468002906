package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.sql.AdminSql;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * pgbox memory create, add, get, delete and import on a real server with the real model (through the
 * pgbox jar): the collection's table, indexes, registry row and the login role's rights; a round trip
 * of a text embedded in-process; tenants kept apart by row-level security; clear refusals with their
 * exit codes; a 1,000-line JSONL import run again without duplicates, a failed import resumed, and a
 * CSV import; soft and hard delete.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MemoryIT {
    static PgboxProject project;
    static AdminSql admin;
    static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_CHARS = 400;

    @BeforeAll
    static void start() throws Exception {
        project = PgboxProject.create("memory", "MEMORY_MAX_CHARS=" + MAX_CHARS, "PGBOX_DOCTOR_INTERVAL=0", "PGBOX_METRICS_INTERVAL=0");
        project.ok("start");
        project.ok("app", "create", "notes");
        admin = project.admin();
    }

    @AfterAll
    static void stop() {
        if (project != null) {
            project.close();
        }
    }

    static String q(String sql) {
        return admin.value("notes", sql);
    }

    static JsonNode json(PgboxProject.Run r) throws Exception {
        return JSON.readTree(r.stdout());
    }

    static PgboxProject.Run fails(int exit, String... args) {
        PgboxProject.Run r = project.pgbox(args);
        assertThat(r.exitCode()).as("pgbox %s\nstdout:\n%s\nstderr:\n%s", String.join(" ", args), r.stdout(), r.stderr()).isEqualTo(exit);
        return r;
    }

    /**
     * A command that embeds no text (get, delete, list, create, an import or add with its own vectors), run
     * in this JVM like {@link #refused}: the model and the jar are exercised by the adds and imports of texts.
     */
    static PgboxProject.Run inJvm(String... args) {
        return refused(0, args);
    }

    /**
     * A command refused before any text is embedded, run in this JVM (pgbox's own Main.run, no JVM start):
     * the same code as the jar, for the many refusals.
     */
    static PgboxProject.Run refused(int exit, String... args) {
        PgboxProject.Run r = project.pgboxInProcess(args);
        assertThat(r.exitCode()).as("pgbox %s\nstdout:\n%s\nstderr:\n%s", String.join(" ", args), r.stdout(), r.stderr()).isEqualTo(exit);
        return r;
    }

    @Test
    @Order(0)
    void anAppWhosePgboxSchemaCameFromMigrateHasNoCollectionsYetAndSaysSo() {
        // 'pgbox migrate' makes the schema pgbox (its history) as the owner, with no USAGE for the login role: the
        // registry's absence must read as "no collections", not as "permission denied for schema pgbox" (the VM found it)
        project.ok("app", "create", "plain");
        admin.run("plain", "SET ROLE plain_owner;\nCREATE SCHEMA pgbox;\n");
        assertThat(inJvm("memory", "list", "plain", "--json").stdout().replaceAll("\\s", "")).isEqualTo("[]");
        PgboxProject.Run missing = refused(12, "memory", "get", "plain", "facts", "0b6c1c52-5f43-4d7e-9f0e-2a1d7c1e9b11");
        assertThat(missing.stderr()).contains("no memory collection 'facts' in app 'plain'").doesNotContain("permission denied");
    }

    @Test
    @Order(1)
    void createMakesTheTableIndexesAndRegistryRowAndRefusesADuplicate() throws Exception {
        JsonNode c = json(project.ok("memory", "create", "notes", "facts", "--json"));
        assertThat(c.path("table").asText()).isEqualTo("public.np_facts");
        assertThat(c.path("dim").asInt()).isEqualTo(384);
        assertThat(c.path("metric").asText()).isEqualTo("cosine");
        assertThat(c.path("model").asText()).isEqualTo("all-minilm-l6-v2-q");
        assertThat(q("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'public.np_facts'::regclass"
                + " AND attname = 'embedding'")).isEqualTo("vector(384)");
        assertThat(q("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'np_facts'"))
                .contains("np_facts_embedding_idx", "np_facts_content_tsv_idx", "np_facts_metadata_idx");
        assertThat(q("SELECT am.amname FROM pg_class i JOIN pg_am am ON am.oid = i.relam WHERE i.relname = 'np_facts_embedding_idx'"))
                .isEqualTo("hnsw");
        assertThat(q("SELECT tableowner FROM pg_tables WHERE tablename = 'np_facts'")).isEqualTo("notes_owner");
        assertThat(q("SELECT dim || ' ' || metric || ' ' || tenant || ' ' || model FROM pgbox.memory_collections WHERE name = 'facts'"))
                .isEqualTo("384 cosine false all-minilm-l6-v2-q");
        // the app's default privileges give its login role the data rights on the new table
        assertThat(q("SELECT has_table_privilege('notes', 'public.np_facts', 'SELECT, INSERT, UPDATE, DELETE')")).isEqualTo("t");
        assertThat(q("SELECT has_table_privilege('notes', 'pgbox.memory_imports', 'INSERT, UPDATE')")).isEqualTo("t");

        PgboxProject.Run dup = refused(2, "memory", "create", "notes", "facts", "--metric", "l2");
        assertThat(dup.stderr()).contains("collection 'facts' already exists in app 'notes'");
        assertThat(q("SELECT metric FROM pgbox.memory_collections WHERE name = 'facts'")).isEqualTo("cosine");

        PgboxProject.Run badConfig = refused(2, "memory", "create", "notes", "wide", "--text-config", "klingon");
        assertThat(badConfig.stderr()).contains("unknown text search configuration 'klingon'");
        assertThat(q("SELECT to_regclass('public.np_wide') IS NULL")).isEqualTo("t");

        inJvm("memory", "create", "notes", "vec3", "--model", "external", "--dim", "3", "--metric", "l2");
        inJvm("memory", "create", "notes", "private", "--tenant");
        JsonNode list = json(inJvm("memory", "list", "notes", "--json"));
        List<String> names = new ArrayList<>();
        list.forEach(n -> names.add(n.path("name").asText()));
        assertThat(names).containsExactly("facts", "private", "vec3");
    }

    @Test
    @Order(2)
    void addEmbedsTheTextAndGetReturnsIt() throws Exception {
        JsonNode added = json(project.ok("memory", "add", "notes", "facts", "The cat sleeps on the warm windowsill.",
                "--metadata", "{\"source\": \"chat\", \"n\": 1}", "--json"));
        String id = added.path("ids").get(0).asText();
        assertThat(id).matches("[0-9a-f-]{36}");
        JsonNode m = json(inJvm("memory", "get", "notes", "facts", id, "--json"));
        assertThat(m.path("content").asText()).isEqualTo("The cat sleeps on the warm windowsill.");
        assertThat(m.path("metadata").path("source").asText()).isEqualTo("chat");
        assertThat(m.path("metadata").path("n").asInt()).isEqualTo(1);
        assertThat(m.has("deleted_at")).isFalse();
        // the model's vector, stored at unit length (what the cosine collection's check and <#> need)
        assertThat(Double.parseDouble(q("SELECT round(vector_norm(embedding)::numeric, 3) FROM np_facts WHERE id = '" + id + "'")))
                .isEqualTo(1.0);

        // a second text gets another vector; replacing by id changes the text and keeps one row
        String other = project.ok("memory", "add", "notes", "facts", "Quarterly revenue grew by eight percent.").stdout().strip();
        assertThat(q("SELECT (SELECT embedding FROM np_facts WHERE id = '" + id + "') <=> (SELECT embedding FROM np_facts WHERE id = '"
                + other + "') > 0.3")).isEqualTo("t");
        project.ok("memory", "add", "notes", "facts", "The cat sleeps on the sofa.", "--id", id.toUpperCase());
        assertThat(inJvm("memory", "get", "notes", "facts", id).stdout()).contains("The cat sleeps on the sofa.");
        assertThat(q("SELECT count(*) FROM np_facts")).isEqualTo("2");

        PgboxProject.Run fromStdin = project.pgboxWithInput(null, Map.of(), "Read from standard input.\n", "memory", "add", "notes", "facts",
                "-");
        assertThat(fromStdin.exitCode()).isZero();
        assertThat(q("SELECT content FROM np_facts WHERE id = '" + fromStdin.stdout().strip() + "'")).isEqualTo("Read from standard input.");
    }

    @Test
    @Order(3)
    void tenantsNeverSeeEachOthersMemories() throws Exception {
        String a = project.ok("memory", "add", "notes", "private", "Alice's secret plan", "--tenant", "alice").stdout().strip();
        assertThat(json(inJvm("memory", "get", "notes", "private", a, "--tenant", "alice", "--json")).path("tenant").asText())
                .isEqualTo("alice");
        PgboxProject.Run asBob = refused(12, "memory", "get", "notes", "private", a, "--tenant", "bob");
        assertThat(asBob.stderr()).contains("no memory " + a);
        PgboxProject.Run asNobody = refused(12, "memory", "get", "notes", "private", a);
        assertThat(asNobody.stderr()).contains("row-level security");
        refused(12, "memory", "delete", "notes", "private", a, "--tenant", "bob", "--hard");
        PgboxProject.Run takeover = fails(2, "memory", "add", "notes", "private", "Bob's now", "--tenant", "bob", "--id", a);
        assertThat(takeover.stderr()).contains("names a memory of another tenant");
        PgboxProject.Run noTenant = refused(2, "memory", "add", "notes", "private", "whose is this?");
        assertThat(noTenant.stderr()).contains("collection 'private' needs a tenant");
        assertThat(q("SELECT count(*) FROM np_private")).isEqualTo("1");
        assertThat(q("SELECT tenant_id || ': ' || content FROM np_private")).isEqualTo("alice: Alice's secret plan");
    }

    @Test
    @Order(4)
    void badInputIsRefusedClearlyWithItsExitCode() throws Exception {
        PgboxProject.Run dims = refused(2, "memory", "add", "notes", "vec3", "four numbers", "--vector", "[1, 2, 3, 4]");
        assertThat(dims.stderr()).contains("the vector has 4 dimensions, collection 'vec3' has 3");
        PgboxProject.Run noVector = refused(2, "memory", "add", "notes", "vec3", "no vector");
        assertThat(noVector.stderr()).contains("no vector for the text", "--model external");
        inJvm("memory", "add", "notes", "vec3", "three numbers", "--vector", "[1, 2, 3]");

        PgboxProject.Run empty = refused(2, "memory", "add", "notes", "facts", "");
        assertThat(empty.stderr()).contains("the text is empty");
        PgboxProject.Run big = refused(2, "memory", "add", "notes", "facts", "x".repeat(MAX_CHARS + 1));
        assertThat(big.stderr()).contains("the text has " + (MAX_CHARS + 1) + " characters, more than the limit of " + MAX_CHARS,
                "MEMORY_MAX_CHARS");
        PgboxProject.Run badJson = refused(2, "memory", "add", "notes", "facts", "text", "--metadata", "{\"source\": ");
        assertThat(badJson.stderr()).contains("the metadata is not valid JSON");
        PgboxProject.Run badId = refused(2, "memory", "get", "notes", "facts", "42");
        assertThat(badId.stderr()).contains("invalid memory id '42'");
        PgboxProject.Run unknown = refused(12, "memory", "add", "notes", "nosuch", "text");
        assertThat(unknown.stderr()).contains("no memory collection 'nosuch' in app 'notes'", "facts, private, vec3");
        assertThat(q("SELECT count(*) FROM np_facts")).isEqualTo("3");
    }

    @Test
    @Order(5)
    void softDeleteHidesAMemoryAndHardDeleteRemovesIt() throws Exception {
        String id = project.ok("memory", "add", "notes", "facts", "To be forgotten.").stdout().strip();
        JsonNode soft = json(inJvm("memory", "delete", "notes", "facts", id, "--json"));
        assertThat(soft.path("deleted_at").asText()).isNotEmpty();
        refused(12, "memory", "get", "notes", "facts", id);
        refused(12, "memory", "delete", "notes", "facts", id);
        assertThat(q("SELECT deleted_at IS NOT NULL FROM np_facts WHERE id = '" + id + "'")).isEqualTo("t");
        assertThat(inJvm("memory", "delete", "notes", "facts", id, "--hard").stdout()).contains("deleted memory " + id);
        assertThat(q("SELECT count(*) FROM np_facts WHERE id = '" + id + "'")).isEqualTo("0");
    }

    @Test
    @Order(6)
    void aThousandLineJsonlImportRunAgainImportsNothingTwice() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 1000; i++) {
            b.append(String.format("{\"id\": \"00000000-0000-4000-8000-%012d\", \"content\": \"memory %d\", \"metadata\": {\"i\": %d},"
                    + " \"embedding\": [%d, 1, 0]}%n", i, i, i, i));
        }
        Path f = write("thousand.jsonl", b.toString());
        long before = Long.parseLong(q("SELECT count(*) FROM np_vec3"));
        PgboxProject.Run first = project.ok("memory", "import", "notes", "vec3", f.toString());
        assertThat(first.stdout()).contains("imported 1000 memories from " + f);
        assertThat(first.stderr()).contains("100 %", "line 1000 of 1000");
        assertThat(Long.parseLong(q("SELECT count(*) FROM np_vec3"))).isEqualTo(before + 1000);
        assertThat(q("SELECT content || ' ' || (metadata->>'i') || ' ' || embedding::text FROM np_vec3"
                + " WHERE id = '00000000-0000-4000-8000-000000000777'")).isEqualTo("memory 777 777 [777,1,0]");
        assertThat(q("SELECT lines_done || ' ' || imported FROM pgbox.memory_imports WHERE collection = 'vec3'")).isEqualTo("1000 1000");

        JsonNode again = json(inJvm("memory", "import", "notes", "vec3", f.toString(), "--json"));
        assertThat(again.path("resumed_at_line").asLong()).isEqualTo(1001);
        assertThat(again.path("imported").asLong()).isZero();
        assertThat(Long.parseLong(q("SELECT count(*) FROM np_vec3"))).isEqualTo(before + 1000);
        // the same lines in another file (another SHA-256) are read again, and their ids are skipped
        Path copy = write("copy.jsonl", b + "\n");
        PgboxProject.Run dup = inJvm("memory", "import", "notes", "vec3", copy.toString(), "--format", "jsonl", "--json");
        assertThat(json(dup).path("skipped").asLong()).isEqualTo(1000);
        assertThat(json(dup).has("resumed_at_line")).isFalse();
        assertThat(dup.stderr()).doesNotContain("%");
        assertThat(Long.parseLong(q("SELECT count(*) FROM np_vec3"))).isEqualTo(before + 1000);
    }

    @Test
    @Order(7)
    void aBadLineFailsItsBatchOnlyAndTheNextRunResumesAfterTheLastGoodBatch() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 600; i++) {
            b.append(i == 400 ? "{\"content\": \"\", \"embedding\": [1, 2, 3]}\n"
                    : "{\"content\": \"line " + i + "\", \"embedding\": [" + i + ", 2, 3]}\n");
        }
        Path f = write("bad.jsonl", b.toString());
        long before = Long.parseLong(q("SELECT count(*) FROM np_vec3"));
        PgboxProject.Run first = fails(2, "memory", "import", "notes", "vec3", f.toString());
        assertThat(first.stderr()).contains(f + ":400: the text is empty");
        // batches of 256 lines: lines 1-256 committed, nothing of 257-512
        assertThat(Long.parseLong(q("SELECT count(*) FROM np_vec3"))).isEqualTo(before + 256);
        assertThat(q("SELECT count(*) FROM np_vec3 WHERE content IN ('line 256', 'line 257')")).isEqualTo("1");
        PgboxProject.Run second = fails(2, "memory", "import", "notes", "vec3", f.toString());
        assertThat(second.stderr()).contains("resumed at line 257", f + ":400: the text is empty");
        assertThat(Long.parseLong(q("SELECT count(*) FROM np_vec3"))).isEqualTo(before + 256);
    }

    @Test
    @Order(8)
    void aCsvImportEmbedsTheTextsAndKeepsEachTenantsRowsApart() throws Exception {
        Path f = write("people.csv", "content,tenant,metadata\n"
                + "\"Alice likes green tea, not coffee\",alice,\"{\"\"topic\"\": \"\"drinks\"\"}\"\n"
                + "Bob plays the cello,bob,\n"
                + "\"Alice's cat is called\nMiso\",alice,\n");
        PgboxProject.Run r = project.ok("memory", "import", "notes", "private", f.toString());
        assertThat(r.stdout()).contains("imported 3 memories", "csv, 5 lines");
        assertThat(q("SELECT string_agg(tenant_id || ':' || replace(content, chr(10), '/'), '|' ORDER BY content) FROM np_private"
                + " WHERE content <> 'Alice''s secret plan'"))
                .isEqualTo("alice:Alice likes green tea, not coffee|alice:Alice's cat is called/Miso|bob:Bob plays the cello");
        assertThat(q("SELECT count(*) FROM np_private WHERE metadata @> '{\"topic\": \"drinks\"}'")).isEqualTo("1");
        assertThat(q("SELECT count(*) FROM np_private WHERE abs(vector_norm(embedding) - 1) < 0.001")).isEqualTo("4");
        PgboxProject.Run noTenant = refused(2, "memory", "import", "notes", "private", write("anon.csv", "content\nhello\n").toString());
        assertThat(noTenant.stderr()).contains("anon.csv:2: collection 'private' needs a tenant");
    }

    static Path write(String name, String text) throws Exception {
        Path f = project.dir().resolve(name);
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }
}
