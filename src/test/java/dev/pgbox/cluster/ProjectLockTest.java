package dev.pgbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.exec.OsUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The project lock inside one JVM (the agent's job thread and its watchdog thread); across processes: LockIT. */
@Timeout(60)
class ProjectLockTest {
    @TempDir
    Path dir;

    private Layout layout() {
        Path state = dir.resolve("state"); // does not exist yet: the lock makes it, as on a first start
        return new Layout(dir, state, state.resolve("data"), state.resolve("run"), state.resolve("log"), OsUser.currentName(), null, false);
    }

    @Test
    void aSecondThreadGetsEmptyNotAnExceptionAndTheLockIsFreeAfterClose() throws Exception {
        Layout l = layout();
        try (ProjectLock job = ProjectLock.tryAcquire(l, "agent verify").orElseThrow()) {
            assertThat(job.holderInfo().what()).isEqualTo("agent verify");
            assertThat(Files.readString(ProjectLock.file(l))).contains("agent verify", "PID " + ProcessHandle.current().pid());
            Optional<ProjectLock> watchdog = CompletableFuture.supplyAsync(() -> ProjectLock.tryAcquire(l, "watchdog")).get(10, TimeUnit.SECONDS);
            assertThat(watchdog).isEmpty();
            assertThat(ProjectLock.tryAcquire(l, "same thread")).isEmpty();
            assertThat(ProjectLock.holder(l)).map(ProjectLock.Holder::what).contains("agent verify");
            // the holder is still the holder: checking did not drop the OS lock
            assertThat(ProjectLock.tryAcquire(l, "again")).isEmpty();
        }
        assertThat(Files.readString(ProjectLock.file(l))).isEmpty();
        try (ProjectLock again = ProjectLock.tryAcquire(l, "watchdog").orElseThrow()) {
            assertThat(again.holderInfo().what()).isEqualTo("watchdog");
            assertThat(again.tookOverFrom()).isEmpty(); // released properly: nothing to take over
        }
    }

    @Test
    void aWaiterSaysOnceWhoHoldsItThenRefusesWithATimeout() throws Exception {
        Layout l = layout();
        List<String> said = new ArrayList<>();
        try (ProjectLock held = ProjectLock.tryAcquire(l, "db backup").orElseThrow()) {
            assertThat(held.tookOverFrom()).isEmpty();
            assertThatThrownBy(() -> CompletableFuture.supplyAsync(() -> ProjectLock.acquire(l, "db verify", Duration.ofMillis(700), said::add))
                    .get(10, TimeUnit.SECONDS))
                    .cause().isInstanceOfSatisfying(PgboxException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ErrorKind.TIMEOUT);
                        assertThat(e.getMessage()).contains("'db backup'", "PID " + ProcessHandle.current().pid());
                        assertThat(e.fix()).contains("PGBOX_LOCK_TIMEOUT");
                    });
        }
        assertThat(said).hasSize(1);
        assertThat(said.get(0)).contains("waiting", "'db backup'", "PID " + ProcessHandle.current().pid(), "since");
    }

    @Test
    void aWaiterGetsTheLockWhenTheHolderReleasesIt() throws Exception {
        Layout l = layout();
        ProjectLock first = ProjectLock.tryAcquire(l, "agent dump").orElseThrow();
        CompletableFuture<ProjectLock> second = CompletableFuture.supplyAsync(() -> ProjectLock.acquire(l, "db backup", Duration.ofSeconds(30), w -> { }));
        assertThat(second).isNotDone();
        first.close();
        try (ProjectLock got = second.get(20, TimeUnit.SECONDS)) {
            assertThat(got.holderInfo().what()).isEqualTo("db backup");
            assertThat(ProjectLock.holder(l)).map(ProjectLock.Holder::what).contains("db backup");
        }
    }

    @Test
    void aDeadHoldersRecordIsTakenOver() throws Exception {
        Layout l = layout();
        Files.createDirectories(l.stateDir());
        // what a holder killed with SIGKILL leaves: its record, but no OS lock (the kernel dropped it)
        Files.writeString(ProjectLock.file(l), "PID 999999999 since 2026-01-02T03:04:05Z: db verify\n");
        List<String> said = new ArrayList<>();
        try (ProjectLock got = ProjectLock.acquire(l, "db backup", Duration.ofSeconds(5), said::add)) {
            assertThat(got.tookOverFrom()).map(ProjectLock.Holder::pid).contains(999999999L);
            assertThat(said).singleElement().asString().contains("took over", "'db verify'", "999999999");
            assertThat(Files.readString(ProjectLock.file(l))).contains("db backup").doesNotContain("db verify");
        }
    }
}
