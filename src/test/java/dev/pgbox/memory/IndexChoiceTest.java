package dev.pgbox.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import org.junit.jupiter.api.Test;

class IndexChoiceTest {
    static final IndexOptions NONE = new IndexOptions(null, null, null, null, false);

    @Test
    void smallCollectionsGetPgvectorsDefaults() {
        IndexChoice c = IndexChoice.choose(20_000, NONE, "hnsw", null);
        assertThat(c.type()).isEqualTo("hnsw");
        assertThat(c.m()).isEqualTo(16);
        assertThat(c.efConstruction()).isEqualTo(64);
        assertThat(c.lists()).isNull();
        assertThat(c.with()).isEqualTo("m = 16, ef_construction = 64");
    }

    @Test
    void largerCollectionsBuildWithAWiderCandidateListAndFromAMillionADenserGraph() {
        assertThat(IndexChoice.choose(99_999, NONE, "hnsw", null).efConstruction()).isEqualTo(64);
        assertThat(IndexChoice.choose(100_000, NONE, "hnsw", null).efConstruction()).isEqualTo(128);
        assertThat(IndexChoice.choose(999_999, NONE, "hnsw", null).m()).isEqualTo(16);
        IndexChoice big = IndexChoice.choose(2_000_000, NONE, "hnsw", null);
        assertThat(big.m()).isEqualTo(24);
        assertThat(big.efConstruction()).isEqualTo(128);
    }

    @Test
    void aTuningThatNeededAWideSearchAsksForADenserBuild() {
        assertThat(IndexChoice.choose(5_000, NONE, "hnsw", 256).efConstruction()).isEqualTo(128);
        assertThat(IndexChoice.choose(5_000, NONE, "hnsw", 100).efConstruction()).isEqualTo(64);
        assertThat(IndexChoice.choose(5_000, NONE, "hnsw", 256).reasons()).anyMatch(r -> r.contains("ef_search 256"));
    }

    @Test
    void explicitOptionsWinAndEfConstructionFollowsALargeM() {
        IndexChoice given = IndexChoice.choose(2_000_000, new IndexOptions(null, 8, 40, null, false), "hnsw", null);
        assertThat(given.m()).isEqualTo(8);
        assertThat(given.efConstruction()).isEqualTo(40);
        assertThat(given.reasons()).containsExactly("m 8: given", "ef_construction 40: given");
        IndexChoice m48 = IndexChoice.choose(1_000, new IndexOptions(null, 48, null, null, false), "hnsw", null);
        assertThat(m48.efConstruction()).isEqualTo(96);
    }

    @Test
    void ivfflatListsFollowTheRowCount() {
        IndexOptions ivf = new IndexOptions("ivfflat", null, null, null, false);
        assertThat(IndexChoice.choose(500, ivf, "hnsw", null).lists()).isEqualTo(1);
        assertThat(IndexChoice.choose(250_000, ivf, "hnsw", null).lists()).isEqualTo(250);
        assertThat(IndexChoice.choose(1_000_000, ivf, "hnsw", null).lists()).isEqualTo(1000);
        assertThat(IndexChoice.choose(4_000_000, ivf, "hnsw", null).lists()).isEqualTo(2000);
        // the collection's current type is kept without --type
        assertThat(IndexChoice.choose(250_000, NONE, "ivfflat", null).lists()).isEqualTo(250);
        assertThat(IndexChoice.choose(250_000, new IndexOptions("ivfflat", null, null, 7, false), "hnsw", null).with()).isEqualTo("lists = 7");
    }

    @Test
    void wrongCombinationsAndRangesAreUsageErrors() {
        for (IndexOptions bad : new IndexOptions[] {new IndexOptions("btree", null, null, null, false),
                new IndexOptions("ivfflat", 16, null, null, false), new IndexOptions("hnsw", null, null, 10, false),
                new IndexOptions(null, 1, null, null, false), new IndexOptions(null, 101, null, null, false),
                new IndexOptions(null, 16, 20, null, false), new IndexOptions(null, null, 1001, null, false),
                new IndexOptions("ivfflat", null, null, 0, false)}) {
            assertThatThrownBy(() -> IndexChoice.choose(1000, bad, "hnsw", null)).as(bad.toString())
                    .isInstanceOf(PgboxException.class).extracting(e -> ((PgboxException) e).kind()).isEqualTo(ErrorKind.USAGE);
        }
    }
}
