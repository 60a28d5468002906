package dev.pgbox.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import org.junit.jupiter.api.Test;

class RecallTunerTest {
    /** Sessions that must not be reached: the options are refused before any connection. */
    static final Sessions NONE = new Sessions() {
        @Override
        public <T> T withConnection(AppName app, boolean owner, Work<T> work) {
            throw new AssertionError("connected before checking the options");
        }
    };

    @Test
    void outOfRangeOptionsAreUsageErrorsBeforeAnyConnection() {
        Memories memories = new Memories(NONE, null);
        for (TuneOptions bad : new TuneOptions[] {new TuneOptions(1.5, 10, 10, null), new TuneOptions(0.0, 10, 10, null),
                new TuneOptions(0.9, 0, 10, null), new TuneOptions(0.9, 10, 0, null), new TuneOptions(0.9, 10, 1001, null)}) {
            assertThatThrownBy(() -> memories.tune(new AppName("shop"), new CollectionName("docs"), bad, Progress.SILENT)).as(bad.toString())
                    .isInstanceOf(PgboxException.class).extracting(e -> ((PgboxException) e).kind()).isEqualTo(ErrorKind.USAGE);
        }
    }

    @Test
    void sampleQueriesLeaveTheirRowToTheChosenCosineAndStayUnitLength() {
        java.util.Random random = new java.util.Random(7);
        for (int dim : new int[] {32, 384, 1536}) {
            float[] v = new float[dim];
            for (int i = 0; i < dim; i++) {
                v[i] = (float) random.nextGaussian();
            }
            v = Vectors.normalised(v);
            float[] q = RecallTuner.offRow(v, random, true);
            assertThat(Vectors.dot(q, q)).as("unit length, %d-d", dim).isCloseTo(1.0, within(1e-4));
            // random noise: its angle varies more in few dimensions
            double tolerance = dim < 100 ? 0.15 : 0.05;
            assertThat(Vectors.dot(q, v)).as("cosine with its row, %d-d", dim).isCloseTo(RecallTuner.QUERY_COSINE, within(tolerance));
            // not normalised (l2, ip): the same angle, the length left as noise makes it
            float[] raw = RecallTuner.offRow(v, random, false);
            assertThat(Vectors.dot(raw, v) / Math.sqrt(Vectors.dot(raw, raw))).isCloseTo(RecallTuner.QUERY_COSINE, within(tolerance));
        }
    }

    @Test
    void aValueMeetsTheTargetOnlyWhenTheLowerEndOfItsConfidenceIntervalDoes() {
        // 100 queries: 90 found all 10 neighbours, 10 found half: mean 0.95, but the spread leaves the bound below it
        double[] perQuery = new double[100];
        java.util.Arrays.fill(perQuery, 1.0);
        java.util.Arrays.fill(perQuery, 0, 10, 0.5);
        double bound = RecallTuner.lowerBound(0.95, perQuery);
        assertThat(bound).isLessThan(0.95).isGreaterThan(0.92);
        // no spread, no margin
        java.util.Arrays.fill(perQuery, 0.95);
        assertThat(RecallTuner.lowerBound(0.95, perQuery)).isCloseTo(0.95, within(1e-12));
        // the ladder decides on the bound
        Ladder.Outcome o = Ladder.search(java.util.List.of(10, 16, 20), 0.95, v -> new TuneReport.Step(v, 0.96, v < 20 ? 0.94 : 0.955, 0.1));
        assertThat(o.chosen().value()).isEqualTo(20);
    }
}
