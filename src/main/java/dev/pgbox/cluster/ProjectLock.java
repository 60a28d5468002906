package dev.pgbox.cluster;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.exec.OsUser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One changer at a time per project: every command and agent job that changes the server, its
 * backups or its apps holds this lock. It is an OS file lock on {@code <state dir>/pgbox.lock}
 * (owned by the server's OS user, mode 0600, so the CLI as root and the agent as that user share
 * it), which the kernel drops when its holder dies, so a killed holder never blocks the next one.
 * While held, the file names the holder (command, PID, since when), for the waiting message and for
 * "took over from" after a crash.
 *
 * <p>OS file locks belong to the process, not the thread, and Linux drops all of a process's locks
 * on a file when any descriptor of it is closed. So within one JVM a registry decides, the file is
 * opened only under its monitor, and a second thread asking gets "busy" instead of an exception.
 */
public final class ProjectLock implements AutoCloseable {
    public static final String FILE = "pgbox.lock";
    private static final Pattern RECORD = Pattern.compile("PID (\\d+) since (\\S+): (.+)");
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
    /** Locks this JVM holds, by lock file; also the monitor every open of a lock file happens under. */
    private static final Map<Path, ProjectLock> HELD = new HashMap<>();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final Holder holder;
    private final Holder tookOverFrom;

    /** Who holds (or held) the lock. */
    public record Holder(String what, long pid, Instant since) {
        String record() {
            return "PID " + pid + " since " + since + ": " + what + "\n";
        }

        static Optional<Holder> parse(String text) {
            Matcher m = RECORD.matcher(text.strip());
            if (!m.matches()) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Holder(m.group(3), Long.parseLong(m.group(1)), Instant.parse(m.group(2))));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }

        boolean alive() {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }

        /** e.g. "'db verify' (PID 4242) since 2026-05-07 14:30:05 UTC, 12s ago". */
        public String describe() {
            long ago = Math.max(0, Duration.between(since, Instant.now()).toSeconds());
            return "'" + what + "' (PID " + pid + ") since " + CLOCK.format(since) + ", " + ago + "s ago";
        }
    }

    private ProjectLock(Path file, FileChannel channel, FileLock lock, Holder holder, Holder tookOverFrom) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.holder = holder;
        this.tookOverFrom = tookOverFrom;
    }

    public static Path file(Layout l) {
        return l.stateDir().resolve(FILE).toAbsolutePath().normalize();
    }

    /**
     * Takes the lock, waiting up to {@code wait} for its holder to finish; says once who holds it.
     * Throws a TIMEOUT error naming the holder when the wait runs out.
     */
    public static ProjectLock acquire(Layout l, String what, Duration wait, Progress progress) {
        long deadline = System.nanoTime() + wait.toNanos();
        boolean said = false;
        synchronized (HELD) {
            while (true) {
                Optional<ProjectLock> got = attempt(l, what);
                if (got.isPresent()) {
                    got.get().tookOverFrom().ifPresent(dead -> progress.step("took over the project lock from " + dead.describe()
                            + ", which ended without releasing it"));
                    return got.get();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new PgboxException(ErrorKind.TIMEOUT, "another pgbox command is changing this project: " + holderText(l),
                            "one command or agent job changes a project at a time; waited " + wait.toSeconds() + "s for the project lock ("
                                    + file(l) + ")", "run it again when that one has finished, or raise PGBOX_LOCK_TIMEOUT");
                }
                if (!said) {
                    progress.step("waiting up to " + wait.toSeconds() + "s for the project lock, held by " + holderText(l));
                    said = true;
                }
                try {
                    HELD.wait(Math.max(1, Math.min(200, left / 1_000_000))); // woken early when a thread of this JVM releases
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PgboxException(ErrorKind.FAILURE, "interrupted while waiting for the project lock", null,
                            "run the command again");
                }
            }
        }
    }

    /** Takes the lock if nobody (no process, no other thread of this JVM) holds it; never waits. */
    public static Optional<ProjectLock> tryAcquire(Layout l, String what) {
        synchronized (HELD) {
            return attempt(l, what);
        }
    }

    /** Who holds the lock now, if anyone. */
    public static Optional<Holder> holder(Layout l) {
        synchronized (HELD) {
            ProjectLock mine = HELD.get(file(l));
            if (mine != null) {
                return Optional.of(mine.holder);
            }
            Path f = file(l);
            if (!Files.exists(f)) {
                return Optional.empty();
            }
            try {
                return Holder.parse(Files.readString(f, StandardCharsets.UTF_8));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }

    /** The holder the lock was taken over from: one that died without releasing it. */
    public Optional<Holder> tookOverFrom() {
        return Optional.ofNullable(tookOverFrom);
    }

    public Holder holderInfo() {
        return holder;
    }

    /** Releases the lock (and forgets the holder record). */
    @Override
    public void close() {
        synchronized (HELD) {
            if (HELD.get(file) != this) {
                return; // closed already
            }
            try {
                channel.truncate(0);
                lock.release();
            } catch (IOException e) {
                // closing the channel below releases the lock anyway
            } finally {
                try {
                    channel.close();
                } catch (IOException e) {
                    // nothing more to release
                }
                HELD.remove(file);
                HELD.notifyAll();
            }
        }
    }

    /** Under the HELD monitor: one non-blocking try. */
    private static Optional<ProjectLock> attempt(Layout l, String what) {
        Path f = file(l);
        if (HELD.containsKey(f)) {
            return Optional.empty();
        }
        FileChannel ch = open(l, f);
        boolean keep = false;
        try {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held through another channel of this JVM: busy, like any other holder
            }
            if (lock == null) {
                return Optional.empty();
            }
            ByteBuffer old = ByteBuffer.allocate((int) Math.min(4096, ch.size()));
            ch.read(old, 0);
            Holder previous = Holder.parse(new String(old.array(), 0, old.position(), StandardCharsets.UTF_8)).orElse(null);
            Holder me = new Holder(what, ProcessHandle.current().pid(), Instant.now().truncatedTo(ChronoUnit.MILLIS));
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(me.record().getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            ProjectLock held = new ProjectLock(f, ch, lock, me, previous);
            HELD.put(f, held);
            keep = true;
            return Optional.of(held);
        } catch (IOException e) {
            throw cannot(f, e);
        } finally {
            if (!keep) {
                try {
                    ch.close(); // safe: this JVM holds no lock on the file (HELD had none)
                } catch (IOException e) {
                    // nothing held
                }
            }
        }
    }

    /** Opens (creating it, and the state dir, on first use) the lock file, owned by the server's OS user. */
    private static FileChannel open(Layout l, Path f) {
        try {
            if (!Files.isDirectory(f.getParent())) {
                // the first start: the state dir as Server.prepareFolders makes it
                Files.createDirectories(f.getParent());
                Files.setPosixFilePermissions(f.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            FileChannel ch = FileChannel.open(f, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            if (OsUser.isRoot() && OsUser.byName(l.osUser()).isPresent() && !Files.getOwner(f).getName().equals(l.osUser())) {
                OwnedFiles.chown(f, l.osUser()); // pgbox's own file: the agent, running as that user, shares it
            }
            return ch;
        } catch (IOException e) {
            throw cannot(f, e);
        }
    }

    private static String holderText(Layout l) {
        Optional<Holder> h = holder(l);
        if (h.isPresent() && h.get().pid() != ProcessHandle.current().pid() && !h.get().alive()) {
            h = Optional.empty(); // a dead holder's record: the new holder has not written its own yet
        }
        return h.map(Holder::describe).orElse("another pgbox process (it has not said what it does yet)");
    }

    private static PgboxException cannot(Path f, IOException e) {
        return new PgboxException(ErrorKind.PERMISSION, "cannot open the project lock " + f, e.toString(),
                "run pgbox as root or as the server's OS user (the lock file belongs to that user)");
    }
}
