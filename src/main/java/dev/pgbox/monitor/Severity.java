package dev.pgbox.monitor;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How bad a doctor finding is; the doctor exits with the worst one's code (0, 1, 2). */
public enum Severity {
    OK, WARN, CRITICAL;

    /** Lowercase, as reports print it and their JSON carries it. */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The doctor's exit code for this worst severity. */
    public int exitCode() {
        return ordinal();
    }

    public Severity worse(Severity other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
