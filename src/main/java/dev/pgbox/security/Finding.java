package dev.pgbox.security;

import java.util.Locale;

/**
 * One audit result: how bad, which check, on what, what is wrong and how to fix it.
 */
public record Finding(Severity severity, String check, String object, String detail, String fix) {

    /** How urgent a finding is; HIGH makes audits exit non-zero. */
    public enum Severity {
        HIGH, MEDIUM, LOW, INFO;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
