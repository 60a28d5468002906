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
            assertThat(Vectors.dot(q, v)).as("cosine with its row, %d-d", dim).isCloseTo(RecallTuner.QUERY_COSINE, within(0.06));
            // not normalised (l2, ip): the same angle, the length left as noise makes it
            float[] raw = RecallTuner.offRow(v, random, false);
            assertThat(Vectors.dot(raw, v) / Math.sqrt(Vectors.dot(raw, raw))).isCloseTo(RecallTuner.QUERY_COSINE, within(0.06));
        }
    }
}
