package dev.pgbox.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Keeps the append-only logs of the project's own programs from filling the disk: PgBouncer's, the agent's,
 * Patroni's and etcd's (their standard output), pg_ctl's startup log and pgBackRest's files. A file past the
 * limit is copied to {@code NAME.1} (the one older copy kept, 0600) and emptied in place. Every writer opened it
 * with O_APPEND, so it goes on writing at the new end without a restart or a signal (a line written between the
 * copy and the emptying is lost, as with logrotate's copytruncate). PostgreSQL's own
 * {@code postgresql-*.log} files are left alone: its logging collector turns them over by weekday.
 */
final class LogTrim {
    /** A log past this size is turned over. */
    static final long LIMIT_BYTES = 100L << 20;

    private final Path logDir;
    private final long limit;
    private final Consumer<String> say;

    LogTrim(Path logDir, long limit, Consumer<String> say) {
        this.logDir = logDir;
        this.limit = limit;
        this.say = say;
    }

    /** One pass; never throws. Returns the files turned over. */
    List<Path> run() {
        List<Path> done = new ArrayList<>();
        for (Path dir : List.of(logDir, logDir.resolve("pgbackrest"))) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.log")) {
                for (Path f : files) {
                    if (ours(f) && Files.size(f) > limit && turnOver(f)) {
                        done.add(f);
                    }
                }
            } catch (IOException e) {
                say.accept("log trim: cannot read " + dir + ": " + e.getMessage());
            }
        }
        return done;
    }

    private static boolean ours(Path f) {
        return Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && !f.getFileName().toString().startsWith("postgresql-");
    }

    private boolean turnOver(Path f) {
        Path old = f.resolveSibling(f.getFileName() + ".1");
        Path tmp = null;
        try {
            long size = Files.size(f);
            tmp = Files.createTempFile(f.getParent(), ".trim-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                Files.copy(f, out); // into the 0600 file made above: copying over it would recreate it with the umask's mode
            }
            Files.move(tmp, old, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                ch.truncate(0);
            }
            say.accept("log trim: " + f + " reached " + (size >> 20) + " MB; its lines are in " + old.getFileName()
                    + " and it starts again from empty");
            return true;
        } catch (IOException e) {
            say.accept("log trim: cannot turn over " + f + ": " + e.getMessage());
            return false;
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray .trim-*.tmp is harmless and the next pass makes a new one
                }
            }
        }
    }
}
