package dev.pgbox.alerts;

/**
 * What the agent remembers about one bad finding between doctor runs (one entry of the state file).
 *
 * @param key the finding's identity: check/database/object
 * @param check the doctor check's id
 * @param database the database, or null
 * @param object what inside it, or null
 * @param severity warn or critical, as last seen
 * @param value the last measured value
 * @param threshold the limit it was held against
 * @param since when it became bad (ISO-8601)
 * @param lastSent when it was last sent to the notifiers (ISO-8601), or null while it was silenced
 * @param sentSeverity the severity it was last sent with, or null: an escalation is measured against it,
 *                     so critical, warn, critical again is not announced twice
 */
public record AlertState(String key, String check, String database, String object, String severity, String value,
                         String threshold, String since, String lastSent, String sentSeverity) {

    AlertState seen(String newSeverity, String newValue, String newThreshold) {
        return new AlertState(key, check, database, object, newSeverity, newValue, newThreshold, since, lastSent, sentSeverity);
    }

    AlertState sent(String at) {
        return new AlertState(key, check, database, object, severity, value, threshold, since, at, severity);
    }
}
