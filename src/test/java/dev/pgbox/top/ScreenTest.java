package dev.pgbox.top;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.report.Activity;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScreenTest {
    static Activity.Session session(int pid, String state, long age, String query) {
        return new Activity.Session(pid, "shop", "shop", "psql", null, state, "Timeout", "PgSleep", age, age, age, query);
    }

    static TopSnapshot snapshot(List<Activity.Session> sessions) {
        return new TopSnapshot("2026-12-02T00:00:00Z", "15.20", 3725, 7, 100, 12.5, 11.0, 99.5, sessions.size(), sessions);
    }

    @Test
    void headerShowsVersionUptimeConnectionsRatesAndCache() {
        List<String> lines = Screen.lines(snapshot(List.of()), 200, 50, "q quits");
        assertThat(lines.get(0)).contains("PostgreSQL 15.20").contains("up 1:02:05").contains("connections 7/100")
                .contains("12.5 tps").contains("11.0 commits/s").contains("cache hit 99.50%");
        assertThat(lines.get(1)).contains("0 session(s)").contains("q quits");
        assertThat(lines.get(3)).contains("PID").contains("STATE").contains("WAIT").contains("DURATION").contains("QUERY");
    }

    @Test
    void firstSampleHasNoRates() {
        TopSnapshot s = new TopSnapshot("t", "15.20", 5, 1, 100, null, null, null, 0, List.of());
        assertThat(Screen.lines(s, 200, 50, null).get(0)).contains("- tps").contains("- commits/s").contains("cache hit -");
    }

    @Test
    void everyLineFitsTheWidthAndLongQueriesAreCut() {
        String query = "SELECT " + "x, ".repeat(100) + "pg_sleep(60)";
        List<String> lines = Screen.lines(snapshot(List.of(session(42, "active", 75, query))), 120, 50, null);
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(120));
        String row = lines.get(4);
        assertThat(row).contains("42").contains("active").contains("Timeout:PgSleep").contains("1:15").contains("SELECT x, x,");
        assertThat(row).hasSize(120).doesNotContain("pg_sleep(60)");
    }

    @Test
    void controlCharactersInAQueryNeverReachTheTerminal() {
        // any client can put ESC sequences in its query text (a comment): shown, they would rewrite the admin's screen
        String query = "SELECT 1 /* \u001b]0;owned\u0007\u001b[2J\r\u009b31m */";
        List<String> lines = Screen.lines(snapshot(List.of(session(7, "active", 3, query))), 200, 50, null);
        assertThat(String.join("\n", lines)).doesNotContain("\u001b", "\u0007", "\r", "\u009b").contains("SELECT 1 /* ?]0;owned??[2J??31m */");
    }

    @Test
    void sessionsThatDoNotFitAreCounted() {
        List<Activity.Session> many = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            many.add(session(100 + i, "active", 30 - i, "SELECT " + i));
        }
        List<String> lines = Screen.lines(snapshot(many), 200, 10, null);
        assertThat(lines).hasSize(10);
        assertThat(lines.get(9)).contains("more sessions");
        assertThat(lines.get(4)).contains("100");
    }

    @Test
    void durationsReadLikeAClock() {
        assertThat(Screen.duration(5L)).isEqualTo("0:05");
        assertThat(Screen.duration(3599L)).isEqualTo("59:59");
        assertThat(Screen.duration(3600L)).isEqualTo("1:00:00");
        assertThat(Screen.duration(90000L)).isEqualTo("1d01h");
        assertThat(Screen.duration(null)).isEmpty();
    }
}
