package dev.pgbox.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as PostgreSQL writes them: 200ms, 30s, 5min, 1h, 1d; "0" and "-1" mean off. */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(-?\\d{1,12})\\s*(ms|s|min|h|d)?", Pattern.CASE_INSENSITIVE);

    private Durations() {
    }

    /** Milliseconds, or null when the text is not a duration. A bare number is only allowed for 0 and -1. */
    public static Long parseMillis(String text) {
        Matcher m = FORM.matcher(text.strip());
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        if (m.group(2) == null) {
            return n == 0 || n == -1 ? n : null;
        }
        if (n < 0) {
            return null;
        }
        long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "ms" -> 1;
            case "s" -> 1000;
            case "min" -> 60_000;
            case "h" -> 3_600_000;
            default -> 86_400_000;
        };
        return n * unit;
    }

    /** PostgreSQL's form in the largest exact unit. */
    public static String format(long millis) {
        if (millis <= 0) {
            return Long.toString(millis);
        }
        if (millis % 86_400_000 == 0) {
            return millis / 86_400_000 + "d";
        }
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "min";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
