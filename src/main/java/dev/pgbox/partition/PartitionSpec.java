package dev.pgbox.partition;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.sql.SqlText;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a partition set looks like, checked before any SQL runs: the control column, pg_partman's
 * interval (its keywords, or "N unit" that pgbox normalises to a keyword when one means the same),
 * how many partitions to make ahead, how long to keep old ones, and where the first one starts.
 *
 * @param column    the partition (control) column, a plain lowercase name
 * @param interval  pg_partman's p_interval: a keyword (monthly) or an interval text (2 weeks)
 * @param seconds   the interval's length in seconds (months as 30 days, years as 365), for comparisons
 * @param premake   partitions made ahead of now
 * @param retention how long partitions are kept ("12 months"), null for forever, "" to clear a stored one
 * @param start     the first partition's start (a date or timestamp text), null for pg_partman's default
 */
public record PartitionSpec(String column, String interval, long seconds, int premake, String retention, String start) {
    /** pg_partman's keywords and the interval each means. */
    static final Map<String, String> KEYWORDS = Map.of("yearly", "1 year", "quarterly", "3 months", "monthly", "1 month",
            "weekly", "1 week", "daily", "1 day", "hourly", "1 hour", "half-hour", "30 minutes", "quarter-hour", "15 minutes");
    /** Partitions made ahead: at least one (else writes of "now" land in the default partition), at most this. */
    static final int MAX_PREMAKE = 500;
    private static final Pattern AMOUNT = Pattern.compile("(\\d{1,4})\\s*(minute|hour|day|week|month|year)s?");
    private static final Map<String, Long> UNIT_SECONDS = Map.of("minute", 60L, "hour", 3_600L, "day", 86_400L,
            "week", 7 * 86_400L, "month", 30 * 86_400L, "year", 365 * 86_400L);
    private static final Pattern START = Pattern.compile("\\d{4}-\\d{2}-\\d{2}( \\d{2}:\\d{2}(:\\d{2})?)?");

    /** Checks and normalises every option; throws a usage error naming the option at fault. */
    public static PartitionSpec of(String column, String interval, int premake, String retention, String start) {
        SqlText.requireName("--column", column, "created_at");
        String[] iv = interval(interval);
        long seconds = Long.parseLong(iv[1]);
        if (premake < 1 || premake > MAX_PREMAKE) {
            throw usage("--premake " + premake, "it must be between 1 and " + MAX_PREMAKE
                    + ": partitions made ahead of now, so that new rows never land in the default partition", "--premake 3");
        }
        String keep = retention(retention, seconds);
        return new PartitionSpec(column, iv[0], seconds, premake, keep, start(start));
    }

    /** pg_partman's p_interval for {@code text} and its length in seconds: [interval, seconds]. */
    static String[] interval(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (KEYWORDS.containsKey(t)) {
            return new String[] {t, Long.toString(seconds(KEYWORDS.get(t)))};
        }
        Matcher m = AMOUNT.matcher(t);
        if (!m.matches() || Integer.parseInt(m.group(1)) < 1) {
            throw usage("--interval " + SqlText.shown(text), "it is neither one of pg_partman's keywords ("
                    + String.join(", ", KEYWORDS.keySet().stream().sorted().toList()) + ") nor an amount like '2 weeks'",
                    "--interval monthly");
        }
        String normal = Integer.parseInt(m.group(1)) + " " + m.group(2) + (m.group(1).equals("1") ? "" : "s");
        long s = seconds(normal);
        if (s < 15 * 60) {
            throw usage("--interval " + SqlText.shown(text), "partitions shorter than 15 minutes make thousands of tables a day",
                    "--interval hourly");
        }
        for (Map.Entry<String, String> k : KEYWORDS.entrySet()) {
            if (k.getValue().equals(normal)) {
                // the keyword gives pg_partman's calendar-aligned names (weekly: ISO weeks, quarterly: Q1..Q4)
                return new String[] {k.getKey(), Long.toString(s)};
            }
        }
        return new String[] {normal, Long.toString(s)};
    }

    /** Seconds in "N unit(s)" (months 30 days, years 365). */
    static long seconds(String amount) {
        Matcher m = AMOUNT.matcher(amount);
        if (!m.matches()) {
            throw new IllegalArgumentException(amount);
        }
        return Long.parseLong(m.group(1)) * UNIT_SECONDS.get(m.group(2));
    }

    /** "N unit(s)" normalised, "" for none (clear), null when not given; at least one interval long. */
    static String retention(String text, long intervalSeconds) {
        if (text == null) {
            return null;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("none") || t.equals("forever")) {
            return "";
        }
        Matcher m = AMOUNT.matcher(t);
        if (!m.matches() || Integer.parseInt(m.group(1)) < 1 || m.group(2).equals("minute")) {
            throw usage("--retention " + SqlText.shown(text), "it must be an amount of hours, days, weeks, months or years,"
                    + " or none", "--retention \"12 months\"");
        }
        String normal = Integer.parseInt(m.group(1)) + " " + m.group(2) + (m.group(1).equals("1") ? "" : "s");
        if (seconds(normal) < intervalSeconds) {
            throw usage("--retention " + SqlText.shown(text), "it is shorter than one partition: pg_partman would drop a"
                    + " partition as soon as it is made", "keep at least one interval, e.g. --retention \"12 months\" with --interval monthly");
        }
        return normal;
    }

    /** A date (2025-01-01) or timestamp (2025-01-01 00:00) that exists in the calendar; null stays null. */
    static String start(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip().replace('T', ' ');
        try {
            if (!START.matcher(t).matches()) {
                throw new DateTimeParseException("form", t, 0);
            }
            if (t.length() == 10) {
                LocalDate.parse(t);
            } else {
                LocalDateTime.parse(t.replace(' ', 'T'));
            }
        } catch (DateTimeParseException e) {
            throw usage("--start " + SqlText.shown(text), "it must be a date YYYY-MM-DD or a time YYYY-MM-DD HH:MM[:SS]",
                    "--start 2025-01-01");
        }
        return t;
    }

    /** Whether a column of SQL type {@code type} (format_type) can be a time partition key with this interval. */
    String typeProblem(String type) {
        if (!type.equals("timestamp with time zone") && !type.equals("timestamp without time zone") && !type.equals("date")) {
            return "column " + column + " is " + type + "; pgbox makes time partitions on timestamptz, timestamp or date columns";
        }
        if (type.equals("date") && seconds < 86_400) {
            return "column " + column + " is a date; partitions shorter than a day cannot split it";
        }
        return null;
    }

    private static PgboxException usage(String what, String cause, String fix) {
        return new PgboxException(ErrorKind.USAGE, "invalid " + what, cause, fix);
    }
}
