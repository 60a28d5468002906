package dev.pgbox.alerts;

import dev.pgbox.monitor.DoctorReport;
import dev.pgbox.monitor.Finding;
import dev.pgbox.monitor.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The alert state machine, a pure function: the remembered states, one doctor report, the silences and
 * the time in; the new states and the notifications to send out. Per finding key:
 * <ul>
 * <li>ok → warn/critical: <b>firing</b> (unless silenced; then it is remembered, unsent, and fires when
 *     the silence ends while it is still bad);</li>
 * <li>worse than it was last sent (warn → critical): <b>escalated</b>; critical → warn is remembered quietly,
 *     and back to critical is not news;</li>
 * <li>still bad after the quiet period since it was last sent: <b>repeat</b> (a quiet period of 0 never repeats);</li>
 * <li>ok again, or no longer in the report: <b>resolved</b>, sent only when its firing was sent.</li>
 * </ul>
 * A report with a critical {@code server_up} finding means the other checks did not run: their alerts
 * are kept as they are, not resolved.
 */
public final class Rules {
    static final String SERVER_UP = "server_up";

    private Rules() {
    }

    /** The outcome of one evaluation. */
    public record Step(Map<String, AlertState> states, List<Alert> send) {
    }

    public static Step step(Map<String, AlertState> before, DoctorReport report, Silences silences, Instant now, Duration repeat) {
        String at = now.toString();
        Map<String, AlertState> after = new TreeMap<>();
        List<Alert> send = new ArrayList<>();
        boolean serverDown = report.findings().stream()
                .anyMatch(f -> f.check().equals(SERVER_UP) && f.severity() == Severity.CRITICAL);
        for (Finding f : report.findings()) {
            if (f.severity() == Severity.OK || after.containsKey(f.key())) {
                continue;
            }
            boolean silenced = silences.silencedUntil(f.key(), f.check(), now) != null;
            AlertState old = before.get(f.key());
            if (old == null) {
                AlertState s = new AlertState(f.key(), f.check(), f.database(), f.object(), f.severity().label(), f.value(),
                        f.threshold(), at, null, null);
                after.put(f.key(), silenced ? s : s.sent(at));
                if (!silenced) {
                    send.add(Alert.of(Alert.FIRING, f, at, at));
                }
                continue;
            }
            AlertState s = old.seen(f.severity().label(), f.value(), f.threshold());
            String kind = null;
            if (old.lastSent() == null) {
                kind = Alert.FIRING; // fired while silenced: the silence is over and it is still bad
            } else if (rank(f.severity().label()) > rank(old.sentSeverity() == null ? old.severity() : old.sentSeverity())) {
                kind = Alert.ESCALATED;
            } else if (!repeat.isZero() && !repeat.isNegative()
                    && !now.isBefore(Instant.parse(old.lastSent()).plus(repeat))) {
                kind = Alert.REPEAT;
            }
            if (kind != null && !silenced) {
                send.add(Alert.of(kind, f, old.since(), at));
                s = s.sent(at);
            }
            after.put(f.key(), s);
        }
        for (AlertState old : before.values()) {
            if (after.containsKey(old.key())) {
                continue;
            }
            if (serverDown && !old.check().equals(SERVER_UP)) {
                after.put(old.key(), old); // not measured this time: neither bad nor good
                continue;
            }
            if (old.lastSent() != null) {
                send.add(Alert.resolved(old, at));
            }
        }
        return new Step(after, send);
    }

    private static int rank(String severity) {
        return Severity.valueOf(severity.toUpperCase(java.util.Locale.ROOT)).ordinal();
    }
}
