package dev.pgbox.monitor;

/**
 * One doctor result. A check that finds nothing wrong still reports one {@link Severity#OK} finding
 * (with its measured value), so a report shows what was checked, not only what failed.
 *
 * @param check stable id of the check, e.g. "connections", "xid_age" (alerts and silences name it)
 * @param severity ok, warn or critical
 * @param database the database it was measured in, or null for the server as a whole
 * @param object what inside it (a table, an index, a pid), or null
 * @param value the measured value as text, with its unit ("85 %", "3 sessions, oldest 4 min")
 * @param threshold the limit it was held against ("warn 80 %, critical 90 %")
 * @param why why it matters, one sentence
 * @param fix a concrete command or SQL; null when severity is ok
 */
public record Finding(String check, Severity severity, String database, String object, String value, String threshold,
                      String why, String fix) {

    /** The identity of a finding across runs: an alert fires, repeats and resolves per key. */
    public String key() {
        return check + (database == null ? "" : "/" + database) + (object == null ? "" : "/" + object);
    }
}
