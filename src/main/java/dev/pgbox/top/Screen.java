package dev.pgbox.top;

import dev.pgbox.report.Activity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link TopSnapshot} as lines of text that fit a terminal of {@code width} x {@code height}:
 * the header, a column line, then as many sessions as fit, each query cut at the right edge. Pure: the
 * terminal control is {@link Terminal}'s.
 */
public final class Screen {
    private Screen() {
    }

    public static List<String> lines(TopSnapshot s, int width, int height, String footer) {
        List<String> out = new ArrayList<>();
        out.add("pgbox top - PostgreSQL " + s.version() + " - up " + duration(s.uptimeSeconds()) + " - connections "
                + s.connections() + "/" + s.maxConnections() + " - " + rate(s.tps(), "tps") + " - " + rate(s.commitsPerSecond(), "commits/s")
                + " - cache hit " + (s.cacheHitPercent() == null ? "-" : String.format(Locale.ROOT, "%.2f%%", s.cacheHitPercent())));
        out.add(s.sessionsShown() + " session(s) not idle, longest first" + (footer == null ? "" : "; " + footer));
        out.add("");
        out.add(row("PID", "DATABASE", "USER", "STATE", "WAIT", "DURATION", "QUERY"));
        int room = Math.max(0, height - out.size());
        List<Activity.Session> sessions = s.sessions();
        for (int i = 0; i < sessions.size() && i < room; i++) {
            Activity.Session a = sessions.get(i);
            out.add(row(Integer.toString(a.pid()), a.database(), a.user(), a.state(),
                    a.waitEvent() == null ? "" : a.waitEventType() + ":" + a.waitEvent(), duration(TopSource.duration(a)), a.query()));
        }
        if (sessions.size() > room && room > 0) {
            out.set(out.size() - 1, "... " + (sessions.size() - room + 1) + " more sessions (make the terminal taller)");
        }
        return out.stream().map(l -> fit(dev.pgbox.SafeText.printable(l), width)).toList();
    }

    static String row(String pid, String db, String user, String state, String wait, String duration, String query) {
        return cell(pid, 7, true) + " " + cell(db, 14, false) + " " + cell(user, 14, false) + " " + cell(state, 19, false) + " "
                + cell(wait, 22, false) + " " + cell(duration, 9, true) + " " + (query == null ? "" : query);
    }

    private static String cell(String v, int w, boolean right) {
        String t = v == null ? "" : v.length() > w ? v.substring(0, w - 1) + "~" : v;
        String pad = " ".repeat(w - t.length());
        return right ? pad + t : t + pad;
    }

    /** A line cut to the terminal's width (a wrapped line would scroll the screen). */
    static String fit(String line, int width) {
        return line.length() <= width ? line : line.substring(0, Math.max(0, width));
    }

    static String rate(Double v, String unit) {
        return (v == null ? "-" : String.format(Locale.ROOT, "%.1f", v)) + " " + unit;
    }

    static String duration(Long seconds) {
        if (seconds == null) {
            return "";
        }
        long s = Math.max(0, seconds);
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        }
        if (s < 86400) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
        }
        return s / 86400 + "d" + String.format(Locale.ROOT, "%02dh", s / 3600 % 24);
    }
}
