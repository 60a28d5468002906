package dev.pgbox.monitor;

import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.OwnedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the doctor remembers between runs, in {@code <state dir>/doctor}: disk samples (for days until
 * full) and the crash count it saw last. The agent (as the server's OS user) and the CLI (as root) both
 * run the doctor, so the folder and files belong to the server's OS user. Writing is best effort: a
 * doctor that cannot remember still checks.
 */
final class DoctorState {
    /** Samples older than this are dropped; growth is estimated over the last day. */
    static final double KEEP_SECONDS = 2 * 86_400;
    static final double WINDOW_SECONDS = 86_400;
    /** Growth over less than this is noise (a checkpoint, a WAL segment). */
    static final double MIN_SPAN_SECONDS = 3_600;

    /** One disk sample: when, and the used bytes of the data and WAL file systems. */
    record Sample(double epoch, long dataUsed, long walUsed) {
    }

    private final Layout layout;

    DoctorState(Layout layout) {
        this.layout = layout;
    }

    Path dir() {
        return layout.stateDir().resolve("doctor");
    }

    Path samplesFile() {
        return dir().resolve("disk-samples");
    }

    Path unusedIndexesFile() {
        return dir().resolve("unused-indexes");
    }

    /**
     * When each of these unused indexes was first seen unused (epoch seconds): new ones start now, ones
     * no longer in the list are forgotten (scanned since, or dropped), so the clock restarts if they
     * fall unused again. With {@code onlyDatabase} (doctor --app) the other databases' entries are kept as they are.
     */
    java.util.Map<String, Double> unusedSince(String onlyDatabase, java.util.Set<String> keys, double now) {
        String before = read(unusedIndexesFile());
        java.util.Map<String, Double> out = new java.util.TreeMap<>();
        for (String line : before.lines().toList()) {
            int sp = line.indexOf(' ');
            String key = line.substring(sp + 1);
            try {
                if (sp > 0 && (keys.contains(key) || onlyDatabase != null && !key.startsWith(onlyDatabase + "/"))) {
                    out.put(key, Double.parseDouble(line.substring(0, sp)));
                }
            } catch (NumberFormatException e) {
                // a torn line: that index starts again
            }
        }
        keys.forEach(k -> out.putIfAbsent(k, now));
        StringBuilder b = new StringBuilder();
        out.forEach((k, v) -> b.append(v.longValue()).append(' ').append(k).append('\n'));
        if (!b.toString().equals(before)) {
            write(unusedIndexesFile(), b.toString());
        }
        return out;
    }

    Path crashesFile() {
        return dir().resolve("crashes-seen");
    }

    List<Sample> samples() {
        List<Sample> out = new ArrayList<>();
        for (String line : read(samplesFile()).lines().toList()) {
            String[] f = line.strip().split(" ");
            try {
                if (f.length == 3) {
                    out.add(new Sample(Double.parseDouble(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
                }
            } catch (NumberFormatException e) {
                // a torn line: skip it
            }
        }
        return out;
    }

    /** The oldest sample of the last day that is old enough to measure growth against, or null. */
    static Sample baseline(List<Sample> samples, double now) {
        return samples.stream().filter(s -> s.epoch() >= now - WINDOW_SECONDS && s.epoch() <= now - MIN_SPAN_SECONDS)
                .min((a, b) -> Double.compare(a.epoch(), b.epoch())).orElse(null);
    }

    /** Keeps the last two days of samples plus this one (at most one a minute). */
    void addSample(List<Sample> old, Sample now) {
        if (!old.isEmpty() && now.epoch() - old.get(old.size() - 1).epoch() < 60) {
            return;
        }
        StringBuilder b = new StringBuilder();
        old.stream().filter(s -> s.epoch() >= now.epoch() - KEEP_SECONDS).forEach(s -> b.append(line(s)));
        b.append(line(now));
        write(samplesFile(), b.toString());
    }

    /** The crash count the previous doctor run saw, or -1 when none did. */
    int crashesSeen() {
        try {
            String v = read(crashesFile()).strip();
            return v.isEmpty() ? -1 : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    void crashesSeen(int count) {
        write(crashesFile(), count + "\n");
    }

    private static String line(Sample s) {
        return (long) s.epoch() + " " + s.dataUsed() + " " + s.walUsed() + "\n";
    }

    private static String read(Path file) {
        try {
            return Files.isReadable(file) ? Files.readString(file) : "";
        } catch (Exception e) {
            return "";
        }
    }

    private void write(Path file, String text) {
        try {
            OwnedFiles.directory(dir(), layout.osUser(), "rwx------");
            OwnedFiles.write(file, text, layout.osUser(), "rw-------");
        } catch (RuntimeException e) {
            // best effort: the doctor still reports, it only forgets this run
        }
    }
}
