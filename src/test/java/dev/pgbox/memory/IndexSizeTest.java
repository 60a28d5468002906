package dev.pgbox.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class IndexSizeTest {
    @Test
    void anHnswElementIsItsVectorPlusItsNeighbourLists() {
        // 112 element + (8 + 128) vector + 8 x (1 + 1/15) pointers + (8 + 32 x 16) level 0 + 1/15 x (8 + 16 x 16) + 64
        assertThat(IndexSize.hnswElementBytes(32, 16)).isCloseTo(112 + 136 + 8.533 + 520 + 17.6 + 64, within(0.1));
        // a million 1536-d OpenAI embeddings: about 7 GB of graph
        assertThat(IndexSize.hnswBytes(1_000_000, 1536, 16) / 1e9).isBetween(6.5, 7.5);
        // 384-d (the built-in model): about 2.3 kB per row
        assertThat(IndexSize.hnswElementBytes(384, 16)).isBetween(2200.0, 2400.0);
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
    void ivfflatNeedsItsSampleAndCentres() {
        // 10,000 samples at least (or every row), 50 per list
        assertThat(IndexSize.ivfflatBytes(5_000, 32, 5)).isEqualTo((5_000 + 20) * 136L);
        assertThat(IndexSize.ivfflatBytes(1_000_000, 32, 1000)).isEqualTo((50_000 + 4_000) * 136L);
        IndexChoice ivf = new IndexChoice("ivfflat", null, null, 1000, java.util.List.of());
        assertThat(IndexSize.estimate(ivf, 1_000_000, 32)).isEqualTo(IndexSize.ivfflatBytes(1_000_000, 32, 1000));
    }
}
