package dev.pgbox.backup;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Layout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The restore points pgbox made, one line each (name, time, LSN) in the backup folder. */
final class RestorePoints {
    record Point(String name, Instant time, String lsn) {
    }

    private RestorePoints() {
    }

    static Path file(Layout l) {
        return l.backupDir().resolve("restore-points.tsv");
    }

    static void record(Layout l, Point p) {
        try {
            Files.createDirectories(l.backupDir());
            Files.writeString(file(l), p.name() + "\t" + p.time() + "\t" + p.lsn() + "\n", StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot record the restore point in " + file(l), e.toString(),
                    "check that " + l.backupDir() + " is writable");
        }
    }

    static List<Point> all(Layout l) {
        try {
            if (!Files.exists(file(l))) {
                return List.of();
            }
            return Files.readAllLines(file(l)).stream().map(line -> line.split("\t")).filter(f -> f.length == 3)
                    .map(f -> new Point(f[0], Instant.parse(f[1]), f[2])).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The newest point of that name. */
    static Optional<Point> find(Layout l, String name) {
        return all(l).stream().filter(p -> p.name().equals(name)).reduce((a, b) -> b);
    }
}
