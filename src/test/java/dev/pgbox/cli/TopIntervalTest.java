package dev.pgbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TopIntervalTest {
    @Test
    void aBareNumberIsSecondsAndUnitsAreAccepted() {
        assertThat(TopCommand.parse("2")).isEqualTo(Duration.ofSeconds(2));
        assertThat(TopCommand.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(TopCommand.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(TopCommand.parse("1min")).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void tooShortOrNonsenseIsAUsageError() {
        for (String bad : new String[] {"0", "50ms", "fast", "-1"}) {
            assertThatThrownBy(() -> TopCommand.parse(bad)).isInstanceOf(PgboxException.class)
                    .extracting(e -> ((PgboxException) e).kind()).isEqualTo(ErrorKind.USAGE);
        }
    }
}
