package dev.pgbox.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecallLadderTest {
    @Test
    void efSearchStartsWhereAScanCanFillKAndEndsAtPgvectorsMaximum() {
        assertThat(Ladder.efSearch(10)).startsWith(10, 16, 20, 32, 40).endsWith(1000);
        assertThat(Ladder.efSearch(50)).startsWith(64, 80);
        assertThat(Ladder.efSearch(1000)).containsExactly(1000);
    }

    @Test
    void probesEndWithEveryList() {
        assertThat(Ladder.probes(10)).containsExactly(1, 2, 3, 4, 6, 8, 10);
        assertThat(Ladder.probes(1)).containsExactly(1);
        assertThat(Ladder.probes(100)).endsWith(64, 96, 100);
    }

    @Test
    void theSearchStopsAtTheFirstValueMeetingTheTarget() {
        Map<Integer, Double> recall = Map.of(10, 0.7, 16, 0.85, 20, 0.91, 32, 0.89, 40, 0.97);
        List<Integer> asked = new ArrayList<>();
        Ladder.Outcome o = Ladder.search(List.of(10, 16, 20, 32, 40), 0.9, v -> {
            asked.add(v);
            return new TuneReport.Step(v, recall.get(v), 0.1);
        });
        assertThat(o.chosen().value()).isEqualTo(20);
        assertThat(asked).containsExactly(10, 16, 20);
        assertThat(o.steps()).extracting(TuneReport.Step::value).containsExactly(10, 16, 20);
    }

    @Test
    void noValueMeetingTheTargetIsReportedWithEveryStep() {
        Ladder.Outcome o = Ladder.search(List.of(10, 16, 20), 0.99, v -> new TuneReport.Step(v, 0.5 + v / 100.0, 0.1));
        assertThat(o.chosen()).isNull();
        assertThat(o.steps()).hasSize(3);
        // a target met exactly counts
        assertThat(Ladder.search(List.of(10, 16), 0.66, v -> new TuneReport.Step(v, 0.5 + v / 100.0, 0.1)).chosen().value()).isEqualTo(16);
    }
}
