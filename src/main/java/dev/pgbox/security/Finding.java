package dev.pgbox.security;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * One audit result: how bad, which check, on what, what is wrong and how to fix it. Its JSON has
 * exactly these names, with the severity in lowercase.
 */
public record Finding(Severity severity, String check, String object, String detail, String fix) {

    /** How urgent a finding is; HIGH makes audits exit non-zero. */
    public enum Severity {
        HIGH, MEDIUM, LOW, INFO;

        /** Lowercase, as the reports print it (and their JSON). */
        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
