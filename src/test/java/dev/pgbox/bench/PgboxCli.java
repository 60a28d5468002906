package dev.pgbox.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the pgbox launcher against the benchmark's project, whole-command wall clock. */
final class PgboxCli {
    private final String launcher;
    private final Path project;

    PgboxCli(String launcher, Path project) {
        this.launcher = launcher;
        this.project = project;
    }

    /** What one command printed and returned, and how long it took. */
    record Run(int exitCode, String stdout, String stderr, double seconds) {
        boolean ok() {
            return exitCode == 0;
        }

        /** The first non-empty line of stderr (or stdout): the reason to show when a part is skipped. */
        String firstLine() {
            for (String s : List.of(stderr, stdout)) {
                for (String l : s.split("\n")) {
                    if (!l.isBlank()) {
                        return l.strip();
                    }
                }
            }
            return "(no output)";
        }
    }

    Run run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(launcher, "--project", project.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("pgbox-bench-out", ".txt");
        Path err = Files.createTempFile("pgbox-bench-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            // the project's .env files decide, not this shell's POSTGRES_* / PGBOX_*
            pb.environment().keySet().removeIf(k -> k.startsWith("POSTGRES_") || k.startsWith("PGBOX_"));
            long t0 = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException("pgbox " + String.join(" ", args) + " did not finish in 60 minutes");
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8), secs);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
