package dev.pgbox.memory;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
