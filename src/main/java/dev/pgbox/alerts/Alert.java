package dev.pgbox.alerts;

import dev.pgbox.monitor.Finding;

/**
 * One notification about one finding: what the notifiers send and the alerts log records.
 *
 * @param kind firing (newly bad), escalated (warn became critical), repeat (still bad after the quiet
 *             period), resolved (ok again, or the check no longer reports it) or test ('pgbox alerts test')
 * @param key the finding's identity: check/database/object
 * @param check the doctor check's id
 * @param severity warn or critical; for a resolve, the severity it had
 * @param database the database, or null for the server as a whole
 * @param object what inside it, or null
 * @param value the measured value (for a resolve: the last bad value)
 * @param threshold the limit it was held against
 * @param why why it matters
 * @param fix a concrete command or SQL, or null
 * @param since when it became bad (ISO-8601)
 * @param at when this notification was made (ISO-8601)
 */
public record Alert(String kind, String key, String check, String severity, String database, String object, String value,
                    String threshold, String why, String fix, String since, String at) {
    public static final String FIRING = "firing";
    public static final String ESCALATED = "escalated";
    public static final String REPEAT = "repeat";
    public static final String RESOLVED = "resolved";
    public static final String TEST = "test";

    static Alert of(String kind, Finding f, String since, String at) {
        return new Alert(kind, f.key(), f.check(), f.severity().label(), f.database(), f.object(), f.value(), f.threshold(),
                f.why(), f.fix(), since, at);
    }

    static Alert resolved(AlertState s, String at) {
        return new Alert(RESOLVED, s.key(), s.check(), s.severity(), s.database(), s.object(), s.value(), s.threshold(), null,
                null, s.since(), at);
    }

    /** One line for a chat message, a mail or a log: "[CRITICAL] connections: 95 of 100 (95 %) (critical 90 %)". */
    public String line() {
        String where = database == null ? "" : " in " + database + (object == null ? "" : " (" + object + ")");
        String head = switch (kind) {
            case RESOLVED -> "[RESOLVED] " + check + where + ": ok again (was " + severity + ": " + value + ")";
            case TEST -> "[TEST] " + value;
            default -> "[" + severity.toUpperCase(java.util.Locale.ROOT) + (kind.equals(FIRING) ? "" : ", " + kind) + "] "
                    + check + where + ": " + value + (threshold == null ? "" : " (" + threshold + ")");
        };
        return head + (fix == null || kind.equals(RESOLVED) ? "" : "\n    fix: " + fix);
    }
}
