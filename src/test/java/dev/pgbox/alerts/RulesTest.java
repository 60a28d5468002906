package dev.pgbox.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.monitor.DoctorReport;
import dev.pgbox.monitor.Finding;
import dev.pgbox.monitor.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RulesTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final Duration REPEAT = Duration.ofHours(4);

    static Finding f(String check, Severity s, String db) {
        return new Finding(check, s, db, null, s == Severity.OK ? "ok" : "bad " + s.label(), "warn 80 %", "why", s == Severity.OK ? null : "fix it");
    }

    static DoctorReport report(Finding... findings) {
        return DoctorReport.of(T0.toString(), List.of("app"), 1, List.of(findings));
    }

    static List<String> kinds(Rules.Step s) {
        return s.send().stream().map(a -> a.kind() + ":" + a.key()).toList();
    }

    @Test
    void firesWhenAFindingTurnsBadAndNotAgainInsideTheQuietPeriod() {
        Rules.Step first = Rules.step(Map.of(), report(f("connections", Severity.WARN, null), f("xid_age", Severity.OK, "app")),
                Silences.none(), T0, REPEAT);
        assertThat(kinds(first)).containsExactly("firing:connections");
        assertThat(first.states()).containsOnlyKeys("connections");
        assertThat(first.states().get("connections").lastSent()).isEqualTo(T0.toString());

        Rules.Step again = Rules.step(first.states(), report(f("connections", Severity.WARN, null)), Silences.none(),
                T0.plus(Duration.ofHours(3)), REPEAT);
        assertThat(again.send()).isEmpty();
        assertThat(again.states().get("connections").since()).isEqualTo(T0.toString());
    }

    @Test
    void repeatsAfterTheQuietPeriodAndNeverWithZero() {
        Rules.Step first = Rules.step(Map.of(), report(f("connections", Severity.WARN, null)), Silences.none(), T0, REPEAT);
        Instant later = T0.plus(REPEAT);
        Rules.Step repeat = Rules.step(first.states(), report(f("connections", Severity.WARN, null)), Silences.none(), later, REPEAT);
        assertThat(kinds(repeat)).containsExactly("repeat:connections");
        assertThat(repeat.send().get(0).since()).isEqualTo(T0.toString());
        assertThat(repeat.states().get("connections").lastSent()).isEqualTo(later.toString());

        Rules.Step never = Rules.step(first.states(), report(f("connections", Severity.WARN, null)), Silences.none(),
                T0.plus(Duration.ofDays(30)), Duration.ZERO);
        assertThat(never.send()).isEmpty();
    }

    @Test
    void escalatesFromWarnToCriticalButDeescalatesQuietly() {
        Rules.Step warn = Rules.step(Map.of(), report(f("connections", Severity.WARN, null)), Silences.none(), T0, REPEAT);
        Rules.Step crit = Rules.step(warn.states(), report(f("connections", Severity.CRITICAL, null)), Silences.none(),
                T0.plusSeconds(60), REPEAT);
        assertThat(kinds(crit)).containsExactly("escalated:connections");
        assertThat(crit.send().get(0).severity()).isEqualTo("critical");
        Rules.Step down = Rules.step(crit.states(), report(f("connections", Severity.WARN, null)), Silences.none(),
                T0.plusSeconds(120), REPEAT);
        assertThat(down.send()).isEmpty();
        assertThat(down.states().get("connections").severity()).isEqualTo("warn");
        // flapping back to critical was announced already
        Rules.Step up = Rules.step(down.states(), report(f("connections", Severity.CRITICAL, null)), Silences.none(),
                T0.plusSeconds(180), REPEAT);
        assertThat(up.send()).isEmpty();
    }

    @Test
    void anEscalationDuringASilenceIsSentWhenTheSilenceEnds() {
        Rules.Step warn = Rules.step(Map.of(), report(f("connections", Severity.WARN, null)), Silences.none(), T0, REPEAT);
        Silences quiet = Silences.none().with("connections", T0.plus(Duration.ofHours(1)), T0);
        Rules.Step during = Rules.step(warn.states(), report(f("connections", Severity.CRITICAL, null)), quiet, T0.plusSeconds(60), REPEAT);
        assertThat(during.send()).isEmpty();
        Rules.Step after = Rules.step(during.states(), report(f("connections", Severity.CRITICAL, null)), quiet,
                T0.plus(Duration.ofMinutes(61)), REPEAT);
        assertThat(kinds(after)).containsExactly("escalated:connections");
    }

    @Test
    void resolvesWhenOkAgainOrGoneFromTheReport() {
        Rules.Step bad = Rules.step(Map.of(), report(f("connections", Severity.WARN, null), f("dead_tuples", Severity.WARN, "app")),
                Silences.none(), T0, REPEAT);
        assertThat(kinds(bad)).containsExactlyInAnyOrder("firing:connections", "firing:dead_tuples/app");
        // connections is ok again, dead_tuples/app is no longer reported at all
        Rules.Step fixed = Rules.step(bad.states(), report(f("connections", Severity.OK, null)), Silences.none(), T0.plusSeconds(60), REPEAT);
        assertThat(kinds(fixed)).containsExactlyInAnyOrder("resolved:connections", "resolved:dead_tuples/app");
        assertThat(fixed.states()).isEmpty();
        assertThat(fixed.send().get(0).line()).contains("RESOLVED", "ok again", "was warn");
        assertThat(Rules.step(fixed.states(), report(), Silences.none(), T0.plusSeconds(120), REPEAT).send()).isEmpty();
    }

    @Test
    void aServerDownReportDoesNotResolveTheChecksThatCouldNotRun() {
        Rules.Step bad = Rules.step(Map.of(), report(f("connections", Severity.WARN, null)), Silences.none(), T0, REPEAT);
        Rules.Step down = Rules.step(bad.states(), report(f("server_up", Severity.CRITICAL, null)), Silences.none(),
                T0.plusSeconds(60), REPEAT);
        assertThat(kinds(down)).containsExactly("firing:server_up");
        assertThat(down.states()).containsKeys("connections", "server_up");
        assertThat(down.states().get("connections")).isEqualTo(bad.states().get("connections"));
        // back up: server_up resolves, connections (still bad) does not fire again inside its quiet period
        Rules.Step up = Rules.step(down.states(), report(f("connections", Severity.WARN, null)), Silences.none(),
                T0.plusSeconds(120), REPEAT);
        assertThat(kinds(up)).containsExactly("resolved:server_up");
    }

    @Test
    void aSilenceHoldsBackFiringAndRepeatsAndItsEndFiresAStillBadAlert() {
        Silences quiet = Silences.none().with("connections", T0.plus(Duration.ofHours(1)), T0);
        Rules.Step silenced = Rules.step(Map.of(), report(f("connections", Severity.WARN, null), f("dead_tuples", Severity.WARN, "app")),
                quiet, T0, REPEAT);
        assertThat(kinds(silenced)).containsExactly("firing:dead_tuples/app");
        assertThat(silenced.states().get("connections").lastSent()).isNull();
        Rules.Step still = Rules.step(silenced.states(), report(f("connections", Severity.CRITICAL, null)), quiet,
                T0.plus(Duration.ofMinutes(30)), REPEAT);
        assertThat(still.send()).extracting(Alert::kind).containsExactly("resolved"); // only dead_tuples resolves
        Rules.Step over = Rules.step(still.states(), report(f("connections", Severity.CRITICAL, null)), quiet,
                T0.plus(Duration.ofMinutes(61)), REPEAT);
        assertThat(kinds(over)).containsExactly("firing:connections"); // first sent now, as critical
        assertThat(over.send().get(0).severity()).isEqualTo("critical");
        // resolved while silenced and never sent: no resolve either
        Rules.Step unsent = Rules.step(silenced.states(), report(), quiet, T0.plusSeconds(60), REPEAT);
        assertThat(kinds(unsent)).containsExactly("resolved:dead_tuples/app");
    }

    @Test
    void aSilenceByFullKeyCoversOnlyThatKey() {
        Silences quiet = Silences.none().with("dead_tuples/app", T0.plus(Duration.ofHours(1)), T0);
        Rules.Step s = Rules.step(Map.of(), report(f("dead_tuples", Severity.WARN, "app"), f("dead_tuples", Severity.WARN, "shop")),
                quiet, T0, REPEAT);
        assertThat(kinds(s)).containsExactly("firing:dead_tuples/shop");
        assertThat(quiet.silencedUntil("dead_tuples/app", "dead_tuples", T0.plus(Duration.ofHours(2)))).isNull();
        assertThat(quiet.with("dead_tuples/app", null, T0).until()).isEmpty();
    }
}
