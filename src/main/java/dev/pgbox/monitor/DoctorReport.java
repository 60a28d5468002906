package dev.pgbox.monitor;

import java.util.List;

/**
 * What {@code pgbox doctor} found: every finding (ok ones too), the worst severity and counts.
 *
 * @param at when the checks ran (ISO-8601)
 * @param databases the databases checked (the main database and the apps asked for)
 * @param worst the worst severity of all findings
 * @param ok number of ok findings
 * @param warn number of warnings
 * @param critical number of critical findings
 * @param millis how long the checks took
 * @param findings every finding, worst first
 */
public record DoctorReport(String at, List<String> databases, Severity worst, int ok, int warn, int critical, long millis,
                           List<Finding> findings) {

    public static DoctorReport of(String at, List<String> databases, long millis, List<Finding> findings) {
        List<Finding> sorted = findings.stream()
                .sorted((a, b) -> b.severity().ordinal() - a.severity().ordinal()).toList();
        Severity worst = Severity.OK;
        int[] n = new int[3];
        for (Finding f : sorted) {
            worst = worst.worse(f.severity());
            n[f.severity().ordinal()]++;
        }
        return new DoctorReport(at, databases, worst, n[0], n[1], n[2], millis, sorted);
    }

    public int count(Severity s) {
        return s == Severity.OK ? ok : s == Severity.WARN ? warn : critical;
    }
}
