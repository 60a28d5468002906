package dev.pgbox.config;

import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;

/**
 * A five-field cron expression (minute hour day-of-month month day-of-week) with lists, ranges and
 * steps: "30 2 * * *", "0 3 * * 0", every 15 minutes as the step form of the minute field. As in
 * Vixie cron, when both day fields are restricted a day matches if either does.
 */
public final class CronSchedule {
    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet days;
    private final BitSet months;
    private final BitSet weekdays;
    private final boolean daysRestricted;
    private final boolean weekdaysRestricted;

    private CronSchedule(String text, BitSet[] f, boolean daysRestricted, boolean weekdaysRestricted) {
        this.text = text;
        this.minutes = f[0];
        this.hours = f[1];
        this.days = f[2];
        this.months = f[3];
        this.weekdays = f[4];
        this.daysRestricted = daysRestricted;
        this.weekdaysRestricted = weekdaysRestricted;
    }

    /** Parses an expression; throws IllegalArgumentException naming the bad field. */
    public static CronSchedule parse(String text) {
        String[] parts = text.strip().split("\\s+");
        if (parts.length != 5) {
            throw new IllegalArgumentException("a cron schedule has 5 fields (minute hour day month weekday), this has " + parts.length);
        }
        int[][] ranges = {{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}};
        String[] names = {"minute", "hour", "day of month", "month", "day of week"};
        BitSet[] f = new BitSet[5];
        for (int i = 0; i < 5; i++) {
            f[i] = field(parts[i], ranges[i][0], ranges[i][1], names[i]);
        }
        if (f[4].get(7)) {
            f[4].set(0); // 7 is Sunday too
        }
        return new CronSchedule(text.strip(), f, !parts[2].equals("*"), !parts[4].equals("*"));
    }

    private static BitSet field(String spec, int min, int max, String name) {
        BitSet bits = new BitSet(max + 1);
        for (String item : spec.toLowerCase(Locale.ROOT).split(",")) {
            int step = 1;
            String range = item;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                step = number(item.substring(slash + 1), 1, max, name);
                range = item.substring(0, slash);
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                String[] ab = range.split("-", 2);
                from = number(ab[0], min, max, name);
                to = number(ab[1], min, max, name);
                if (from > to) {
                    throw new IllegalArgumentException("the " + name + " range " + range + " runs backwards");
                }
            } else {
                from = number(range, min, max, name);
                to = slash >= 0 ? max : from;
            }
            for (int v = from; v <= to; v += step) {
                bits.set(v);
            }
        }
        return bits;
    }

    private static int number(String s, int min, int max, String name) {
        try {
            int v = Integer.parseInt(s);
            if (v < min || v > max) {
                throw new IllegalArgumentException("the " + name + " " + v + " is outside " + min + "-" + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the " + name + " field has '" + s + "', which is not a number");
        }
    }

    /** The first matching minute strictly after {@code after}. */
    public ZonedDateTime next(ZonedDateTime after) {
        ZonedDateTime t = after.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        for (int i = 0; i < 366 * 24 * 60 * 5; i++) {
            if (matches(t)) {
                return t;
            }
            if (!months.get(t.getMonthValue()) || !dayMatches(t)) {
                t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
            } else if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else {
                t = t.plusMinutes(1);
            }
        }
        throw new IllegalStateException("no time matches '" + text + "'");
    }

    public boolean matches(ZonedDateTime t) {
        return minutes.get(t.getMinute()) && hours.get(t.getHour()) && months.get(t.getMonthValue()) && dayMatches(t);
    }

    private boolean dayMatches(ZonedDateTime t) {
        boolean dom = days.get(t.getDayOfMonth());
        boolean dow = weekdays.get(t.getDayOfWeek().getValue() % 7);
        if (daysRestricted && weekdaysRestricted) {
            return dom || dow;
        }
        return dom && dow;
    }

    @Override
    public String toString() {
        return text;
    }
}
