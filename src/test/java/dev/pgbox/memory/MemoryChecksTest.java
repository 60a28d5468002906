package dev.pgbox.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import org.junit.jupiter.api.Test;

/** The checks every memory passes before it is written. */
class MemoryChecksTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static Collection collection(int dim, String metric, boolean tenant, String model) {
        return new Collection("notes", "facts", "public.np_facts", dim, metric, tenant, model, "english", "hnsw", null, null, null,
                "2026-01-01T00:00:00Z");
    }

    static ErrorKind kind(Runnable r) {
        try {
            r.run();
        } catch (PgboxException e) {
            return e.kind();
        }
        return null;
    }

    @Test
    void contentMustHoldTextWithinTheLimit() {
        assertThat(MemoryChecks.content("hello", 5)).isEqualTo("hello");
        assertThatThrownBy(() -> MemoryChecks.content("", 10)).hasMessage("the text is empty");
        assertThatThrownBy(() -> MemoryChecks.content(null, 10)).hasMessage("the text is empty");
        assertThatThrownBy(() -> MemoryChecks.content(" \n\t", 10)).hasMessage("the text is only white space");
        assertThatThrownBy(() -> MemoryChecks.content("a\0b", 10)).hasMessageContaining("NUL");
        assertThatThrownBy(() -> MemoryChecks.content("abcdef", 5)).hasMessage("the text has 6 characters, more than the limit of 5")
                .satisfies(e -> assertThat(((PgboxException) e).reason()).contains("MEMORY_MAX_CHARS is 5"))
                .satisfies(e -> assertThat(((PgboxException) e).fix()).contains("MEMORY_MAX_CHARS"));
        // characters, not UTF-16 units: five emoji are five characters
        assertThat(MemoryChecks.content("😀😀😀😀😀", 5)).hasSize(10);
        assertThat(kind(() -> MemoryChecks.content("", 1))).isEqualTo(ErrorKind.USAGE);
    }

    @Test
    void idsAreUuidsInLowercase() {
        assertThat(MemoryChecks.id("0B8E5F3A-2C1D-4E5F-9A7B-6C5D4E3F2A1B")).isEqualTo("0b8e5f3a-2c1d-4e5f-9a7b-6c5d4e3f2a1b");
        assertThatThrownBy(() -> MemoryChecks.id("42")).hasMessage("invalid memory id '42'");
        // java.util.UUID would take this one; PostgreSQL and pgbox do not
        assertThatThrownBy(() -> MemoryChecks.id("1-1-1-1-1")).hasMessageContaining("invalid memory id");
        assertThatThrownBy(() -> MemoryChecks.id("0b8e5f3a-2c1d-4e5f-9a7b-6c5d4e3f2a1b' OR 1=1")).hasMessageContaining("invalid memory id");
        assertThat(kind(() -> MemoryChecks.id(null))).isEqualTo(ErrorKind.USAGE);
    }

    @Test
    void tenantsAreShortPrintableAndRequiredWithTenancy() {
        assertThat(MemoryChecks.tenant(null)).isNull();
        assertThat(MemoryChecks.tenant("user-42")).isEqualTo("user-42");
        assertThat(MemoryChecks.tenant("x".repeat(200))).hasSize(200);
        assertThatThrownBy(() -> MemoryChecks.tenant("x".repeat(201))).hasMessage("the tenant has 201 characters, more than 200");
        assertThatThrownBy(() -> MemoryChecks.tenant("")).hasMessage("the tenant is empty");
        assertThatThrownBy(() -> MemoryChecks.tenant("a\u001b[2Jb")).hasMessageContaining("control characters");
        assertThatThrownBy(() -> MemoryChecks.tenantFor(collection(3, "l2", true, "external"), null))
                .hasMessage("collection 'facts' needs a tenant");
        assertThat(MemoryChecks.tenantFor(collection(3, "l2", false, "external"), null)).isNull();
        assertThat(MemoryChecks.tenantFor(collection(3, "l2", true, "external"), "bob")).isEqualTo("bob");
    }

    @Test
    void metadataIsAJsonObject() throws Exception {
        assertThat(MemoryChecks.metadata(null)).isEqualTo("{}");
        assertThat(MemoryChecks.metadata(JSON.readTree("{\"a\":[1,2]}"))).isEqualTo("{\"a\":[1,2]}");
        assertThatThrownBy(() -> MemoryChecks.metadata(JSON.readTree("[1]"))).hasMessage("the metadata is a JSON array, not an object");
        assertThatThrownBy(() -> MemoryChecks.metadata(JSON.readTree("\"x\""))).hasMessage("the metadata is a JSON string, not an object");
        assertThatThrownBy(() -> MemoryChecks.parseMetadata("{\"a\": ")).hasMessage("the metadata is not valid JSON");
        assertThatThrownBy(() -> MemoryChecks.parseMetadata("{} {}")).hasMessage("the metadata is not valid JSON");
        assertThatThrownBy(() -> MemoryChecks.parseMetadata("{\"a\": \"\\u0000\"}")).hasMessageContaining("NUL");
        assertThat(MemoryChecks.parseMetadata("{\"source\": \"chat\"}").path("source").asText()).isEqualTo("chat");
        assertThat(MemoryChecks.parseMetadata(null)).isNull();
    }

    @Test
    void vectorsAreJsonArraysOfTheCollectionsDimensionNormalisedForCosine() {
        assertThat(MemoryChecks.parseVector("[1, 2.5, -3]")).containsExactly(1f, 2.5f, -3f);
        assertThatThrownBy(() -> MemoryChecks.parseVector("[1, \"2\"]")).hasMessage("the vector's element 2 is not a number");
        assertThatThrownBy(() -> MemoryChecks.parseVector("{}")).hasMessage("the vector is not a JSON array");
        assertThatThrownBy(() -> MemoryChecks.parseVector("[1,")).hasMessage("the vector is not valid JSON");
        Collection l2 = collection(3, "l2", false, "external");
        Collection cosine = collection(2, "cosine", false, "external");
        assertThat(MemoryChecks.storedVector(new float[] {3, 4, 0}, l2)).containsExactly(3f, 4f, 0f);
        assertThat(MemoryChecks.storedVector(new float[] {3, 4}, cosine)).containsExactly(0.6f, 0.8f);
        assertThatThrownBy(() -> MemoryChecks.storedVector(new float[] {1, 2, 3, 4}, l2))
                .hasMessage("the vector has 4 dimensions, collection 'facts' has 3");
        assertThatThrownBy(() -> MemoryChecks.storedVector(new float[] {0, 0}, cosine)).hasMessage("the vector is all zeros");
        assertThatThrownBy(() -> MemoryChecks.storedVector(MemoryChecks.parseVector("[1e300, 1, 1]"), l2))
                .hasMessageContaining("infinity");
    }
}
