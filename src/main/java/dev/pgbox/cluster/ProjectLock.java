package dev.pgbox.cluster;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/** Placeholder for the per-project lock (the full one with waiting and holder info replaces it). */
public final class ProjectLock implements AutoCloseable {
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();
    private final FileChannel channel;
    private final FileLock lock;

    private ProjectLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static Optional<ProjectLock> tryAcquire(Layout l, String what) {
        if (!IN_PROCESS.tryLock()) {
            return Optional.empty();
        }
        try {
            FileChannel ch = FileChannel.open(l.runDir().resolve("pgbox.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fl = ch.tryLock();
            if (fl == null) {
                ch.close();
                IN_PROCESS.unlock();
                return Optional.empty();
            }
            return Optional.of(new ProjectLock(ch, fl));
        } catch (IOException e) {
            IN_PROCESS.unlock();
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // released with the channel
        } finally {
            IN_PROCESS.unlock();
        }
    }
}
