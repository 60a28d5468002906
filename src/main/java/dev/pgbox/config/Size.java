package dev.pgbox.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Memory and disk sizes as PostgreSQL writes them: 64kB, 512MB, 1GB. Parsing is case-insensitive. */
public final class Size {
    public static final long KB = 1024;
    public static final long MB = 1024 * KB;
    public static final long GB = 1024 * MB;
    public static final long TB = 1024 * GB;

    private static final Pattern FORM = Pattern.compile("(\\d{1,15})\\s*(B|K|KB|M|MB|G|GB|T|TB)", Pattern.CASE_INSENSITIVE);

    private Size() {
    }

    /** Bytes for a text like "512MB", or -1 when the text is not a size. */
    public static long parse(String text) {
        Matcher m = FORM.matcher(text.strip());
        if (!m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        long unit = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "B" -> 1;
            case "K", "KB" -> KB;
            case "M", "MB" -> MB;
            case "G", "GB" -> GB;
            default -> TB;
        };
        return Math.multiplyExact(n, unit);
    }

    /** PostgreSQL's form, in the largest unit that divides the value exactly: 1536MB, 2GB, 64kB. */
    public static String format(long bytes) {
        if (bytes % TB == 0 && bytes >= TB) {
            return bytes / TB + "TB";
        }
        if (bytes % GB == 0 && bytes >= GB) {
            return bytes / GB + "GB";
        }
        if (bytes % MB == 0 && bytes >= MB) {
            return bytes / MB + "MB";
        }
        if (bytes % KB == 0) {
            return bytes / KB + "kB";
        }
        return bytes + "B";
    }

    /** A rounded, human form for reports: 1.5 GB, 230 MB. */
    public static String human(long bytes) {
        if (bytes >= GB) {
            return String.format(Locale.ROOT, "%.1f GB", bytes / (double) GB);
        }
        if (bytes >= MB) {
            return String.format(Locale.ROOT, "%d MB", bytes / MB);
        }
        if (bytes >= KB) {
            return String.format(Locale.ROOT, "%d kB", bytes / KB);
        }
        return bytes + " B";
    }

    /** Rounds down to whole megabytes (PostgreSQL sizes are multiples of 8 kB pages; MB keeps plans readable). */
    public static long floorMb(long bytes) {
        return bytes / MB * MB;
    }
}
