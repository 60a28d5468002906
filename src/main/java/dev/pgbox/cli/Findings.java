package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.Json;
import dev.pgbox.security.SecurityReport;
import java.io.PrintWriter;
import java.util.List;

/** Prints an audit's report as a table or JSON; the exit code is 11 when any finding is high severity. */
final class Findings {
    private Findings() {
    }

    static int print(SecurityReport report, boolean json, PrintWriter out) {
        if (json) {
            out.println(Json.render(report));
        } else if (report.findings().isEmpty()) {
            out.println("no findings");
        } else {
            out.println(Tables.aligned(List.of("severity", "check", "object", "detail", "fix"), report.findings().stream()
                    .map(f -> List.of(f.severity().label(), f.check(), f.object(), f.detail(), f.fix())).toList()));
            long h = report.highCount();
            out.println(h == 0 ? "no high-severity findings" : h + " high-severity finding(s)");
        }
        return report.passed() ? 0 : ErrorKind.FINDINGS.exitCode();
    }
}
