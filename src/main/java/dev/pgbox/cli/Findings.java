package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.security.Finding;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Prints audit findings as a table or JSON; the exit code is 11 when any is high severity. */
final class Findings {
    private Findings() {
    }

    static int print(List<Finding> findings, boolean json, PrintWriter out) {
        boolean high = findings.stream().anyMatch(f -> f.severity() == Finding.Severity.HIGH);
        if (json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("passed", !high);
            r.put("findings", findings.stream().map(f -> Map.of("severity", f.severity().label(), "check", f.check(),
                    "object", f.object(), "detail", f.detail(), "fix", f.fix())).toList());
            out.println(Tables.json(r));
        } else if (findings.isEmpty()) {
            out.println("no findings");
        } else {
            out.println(Tables.aligned(List.of("severity", "check", "object", "detail", "fix"), findings.stream()
                    .map(f -> List.of(f.severity().label(), f.check(), f.object(), f.detail(), f.fix())).toList()));
            long h = findings.stream().filter(f -> f.severity() == Finding.Severity.HIGH).count();
            out.println(h == 0 ? "no high-severity findings" : h + " high-severity finding(s)");
        }
        return high ? ErrorKind.FINDINGS.exitCode() : 0;
    }
}
