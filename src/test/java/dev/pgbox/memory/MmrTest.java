package dev.pgbox.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class MmrTest {
    static final float[] QUERY = {1, 0, 0};
    // a and its near-duplicate are the most relevant; b points elsewhere but is still related to the query
    static final float[] A = {0.95f, 0.31f, 0};
    static final float[] A_COPY = {0.94f, 0.34f, 0};
    static final float[] B = {0.7f, 0, 0.71f};

    @Test
    void lambdaOneIsNearestFirst() {
        assertThat(Mmr.select(QUERY, List.of(A, A_COPY, B), 1.0, 3)).containsExactly(0, 1, 2);
    }

    @Test
    void aLowLambdaPutsTheNearDuplicateBehindTheOtherResult() {
        assertThat(Mmr.select(QUERY, List.of(A, A_COPY, B), 0.3, 2)).containsExactly(0, 2);
        assertThat(Mmr.select(QUERY, List.of(A, A_COPY, B), 0.3, 3)).containsExactly(0, 2, 1);
    }

    @Test
    void theFirstPickIsTheMostRelevantEvenAtLambdaZeroAndTiesGoToTheNearerCandidate() {
        // at lambda 0 every first value is 0: the tie goes to the first (nearest) candidate
        assertThat(Mmr.select(QUERY, List.of(B, A, A_COPY), 0.0, 1)).containsExactly(0);
        assertThat(Mmr.select(QUERY, List.of(B, A, A_COPY), 0.5, 1)).containsExactly(1);
    }

    @Test
    void neverMoreThanTheCandidatesOrK() {
        assertThat(Mmr.select(QUERY, List.of(A, B), 0.5, 10)).containsExactly(0, 1);
        assertThat(Mmr.select(QUERY, List.of(), 0.5, 10)).isEmpty();
        assertThat(Mmr.select(QUERY, List.of(A, A_COPY, B), 0.5, 1)).hasSize(1);
    }

    @Test
    void cosineIgnoresLengthAndZeroVectorsAreUnrelated() {
        assertThat(Mmr.cosine(new float[] {2, 0}, new float[] {5, 0})).isCloseTo(1.0, within(1e-9));
        assertThat(Mmr.cosine(new float[] {1, 0}, new float[] {0, 3})).isCloseTo(0.0, within(1e-9));
        assertThat(Mmr.cosine(new float[] {1, 0}, new float[] {-1, 0})).isCloseTo(-1.0, within(1e-9));
        assertThat(Mmr.cosine(new float[] {0, 0}, new float[] {1, 0})).isZero();
    }
}
