package dev.pgbox.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class IndexSizeTest {
    @Test
    void anHnswElementIsItsVectorPlusItsNeighbourLists() {
        // 112 element + (8 + 128) vector + 8 x (1 + 1/15) pointers + (8 + 32 x 16) level 0 + 1/15 x (8 + 16 x 16) + 112
        assertThat(IndexSize.hnswElementBytes(32, 16)).isCloseTo(112 + 136 + 8.533 + 520 + 17.6 + 112, within(0.1));
        // what pgvector 0.8.0 measured: 4MB held 4,625 such elements before "graph no longer fits"
        assertThat(4 * 1024 * 1024 / IndexSize.hnswElementBytes(32, 16)).isBetween(4600.0, 4650.0);
        // a million 1536-d OpenAI embeddings: about 7 GB of graph
        assertThat(IndexSize.hnswBytes(1_000_000, 1536, 16) / 1e9).isBetween(6.5, 7.5);
        // 384-d (the built-in model): about 2.4 kB per row
        assertThat(IndexSize.hnswElementBytes(384, 16)).isBetween(2300.0, 2500.0);
    }

    @Test
    void theGraphGrowsWithRowsDimensionsAndM() {
        long base = IndexSize.hnswBytes(20_000, 32, 16);
        assertThat(IndexSize.hnswBytes(40_000, 32, 16)).isBetween(2 * base - 1, 2 * base + 1);
        assertThat(IndexSize.hnswBytes(20_000, 64, 16)).isEqualTo(base + 20_000L * 128);
        // level 0 doubles its 2 x m slots of 16 bytes; fewer upper levels take back a little
        assertThat(IndexSize.hnswBytes(20_000, 32, 32)).isBetween(base + 20_000L * 490, base + 20_000L * 512);
    }

    @Test
    void ivfflatNeedsItsSampleWithBoundsToEveryCentre() {
        // pgvector sizes the sample for 10,000 vectors at least, also for fewer rows: 4,995 32-d rows in 4 lists
        // needed "2 MB" (1.5 MB) where 1MB was set
        long small = IndexSize.ivfflatBytes(4_995, 32, 4);
        assertThat(small).isEqualTo(10_000L * 136 + 10_000L * 4 * 4 + 10_000L * 8 + 3L * 4 * 136 + 2L * 16 * 4);
        assertThat(small).isBetween(1_048_577L, 2_097_152L);
        // a million 384-d rows in 1,000 lists: 50,000 samples, the bounds (200 MB) dominate
        assertThat(IndexSize.ivfflatBytes(1_000_000, 384, 1000) / 1e6).isBetween(280.0, 300.0);
        IndexChoice ivf = new IndexChoice("ivfflat", null, null, 1000, java.util.List.of());
        assertThat(IndexSize.estimate(ivf, 1_000_000, 32)).isEqualTo(IndexSize.ivfflatBytes(1_000_000, 32, 1000));
    }
}
