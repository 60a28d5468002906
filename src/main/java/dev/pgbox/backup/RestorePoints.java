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

/** Restore points: made with pg_create_restore_point, and recorded one line each (name, time, LSN) in the backup folder. */
public final class RestorePoints {
    /** One restore point pgbox made. */
    public record Point(String name, Instant time, String lsn) {
    }

    private RestorePoints() {
    }

    /** pg_create_restore_point, recorded, then a WAL switch (pgbackrest check) so the point reaches the archive promptly. */
    public static Point create(PhysicalBackups physical, String name) {
        RestorePointName.require(name);
        physical.requireArchiving("create a restore point", true);
        String lsn = physical.server().admin().value("postgres", "SELECT pg_create_restore_point($1)", name);
        Point p = new Point(name, Instant.now(), lsn);
        record(physical.server().layout(), p);
        physical.pgbackrest().check();
        return p;
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
