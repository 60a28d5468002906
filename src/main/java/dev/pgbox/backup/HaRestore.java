package dev.pgbox.backup;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.PatroniRest;
import dev.pgbox.cluster.PatroniSupervisor;
import dev.pgbox.cluster.PgCtl;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The HA side of backups and restores on a Patroni member. Backups and restores belong to the leader
 * (a replica has no stanza of its own and is read-only), so on a replica they are refused naming the
 * leader. A whole-cluster rewind goes through Patroni, never around it:
 * <ol>
 * <li>pause the cluster (PATCH /config) and wait until every member's Patroni runs paused, so none
 * restarts, promotes or demotes PostgreSQL meanwhile;</li>
 * <li>stop PostgreSQL here with pg_ctl (paused, Patroni leaves it down and drops the leader lock);</li>
 * <li>restore and replay to the target, start it with pg_ctl and wait until it is promoted;</li>
 * <li>Patroni, still paused, sees a primary with the cluster's system ID and no leader, and takes the
 * leader lock for this member (Ha.is_healthiest_node: in pause a running primary is the healthiest);</li>
 * <li>resume the cluster: Patroni manages this member as the leader again;</li>
 * <li>every other member is re-initialised (POST /reinitialize, force: it cancels a pg_rewind Patroni may
 * have started) from this leader, since their data lies on the history the restore discarded. Done after
 * the resume, Patroni's ordinary path for a reinit; this member holds the leader lock by then, so a stale
 * member cannot take over meanwhile.</li>
 * </ol>
 * If anything fails while paused, the cluster is resumed, so Patroni manages it again (it starts a
 * stopped PostgreSQL and elects a leader by itself). Patroni 4.0.7 needs no leader key removed by hand and no re-bootstrap: 'patronictl remove' would wipe the
 * cluster's state while other members run, and they could win the leader race with their newer WAL.
 */
final class HaRestore {
    /** How long each member's Patroni may take to notice a pause (it reads the config every loop_wait). */
    private static final Duration NOTICE = Duration.ofSeconds(30);

    private final Server server;
    private final PatroniRest api;

    private HaRestore(Server server) {
        this.server = server;
        this.api = PatroniRest.local(server.settings(), server.layout());
    }

    /** This project's member, or null when the project is not an HA member. */
    static HaRestore of(Server server) {
        return PatroniSupervisor.isMember(server.layout()) ? new HaRestore(server) : null;
    }

    /**
     * On an HA member that is not the leader: refuses {@code what}, naming the leader. Nothing on a
     * plain project, and nothing on the leader.
     */
    static void requireLeader(Server server, String what) {
        HaRestore ha = of(server);
        if (ha != null) {
            ha.leaderOrRefuse(what);
        }
    }

    /** The timeline switches leading to the current timeline, as Patroni records them. */
    List<PatroniRest.TimelineSwitch> history() {
        return api.history();
    }

    /** Throws unless this member holds the leader lock; returns the cluster as Patroni sees it. */
    PatroniRest.Cluster leaderOrRefuse(String what) {
        PatroniRest.Cluster c = api.cluster();
        PatroniRest.Member leader = c.leader();
        if (leader != null && leader.name().equals(api.me())) {
            return c;
        }
        if (leader == null) {
            throw new PgboxException(ErrorKind.NOT_RUNNING, "cannot " + what + ": the HA cluster has no leader right now",
                    "no member holds Patroni's leader lock", "wait until 'pgbox ha status' shows a leader, then run it on the leader's project");
        }
        throw new PgboxException(ErrorKind.CONFIG, "cannot " + what + " on member '" + api.me() + "': it is a replica",
                "backups and restores run on the leader, member '" + leader.name() + "' at " + leader.host() + ":" + leader.port()
                        + " (a replica has no backup stanza of its own and cannot be written)",
                "run it in the project of member '" + leader.name() + "', the leader");
    }

    /**
     * Rewinds this member's PostgreSQL through a paused Patroni (see the class comment): {@code restore}
     * runs with PostgreSQL stopped and must leave it started and promoted. Returns what happened to the
     * other members, one line each.
     */
    List<String> rewind(Runnable restore, Progress progress) {
        PatroniRest.Cluster before = leaderOrRefuse("restore to a point in time");
        List<PatroniRest.Member> others = before.members().stream().filter(m -> !m.name().equals(api.me())).toList();
        Layout l = server.layout();
        List<String> done = new ArrayList<>();
        progress.step("pausing Patroni on every member, so none restarts or promotes PostgreSQL during the restore");
        api.pause(true);
        int timeline;
        try {
            awaitPaused(before.members());
            // the loop that noticed the pause also applies the changed configuration to PostgreSQL, and retries that
            // until PostgreSQL answers: let it finish against the running server, not against the replay, where a
            // rewrite of postgresql.conf would strip the restore_command pgBackRest wrote into postgresql.auto.conf
            sleep(server.settings().integer(Setting.PATRONI_LOOP_WAIT) * 1000L + 1000);
            progress.step("stopping PostgreSQL (a paused Patroni leaves it down and gives up the leader lock)");
            PgCtl.stop(l, l.dataDir(), Duration.ofMillis(server.settings().millis(Setting.PGBOX_STOP_TIMEOUT)));
            restore.run();
            progress.step("waiting until Patroni takes the leader lock for the restored member '" + api.me() + "'");
            awaitLeader();
            // Patroni reports a primary's timeline from its last checkpoint, which lags right after a promotion
            timeline = Integer.parseInt(server.admin().value("postgres", "SELECT pg_walfile_name(pg_current_wal_lsn())").substring(0, 8), 16);
        } catch (RuntimeException e) {
            resume(progress, e);
            throw e;
        }
        resume(progress, null);
        awaitRunningLeader();
        // this member holds the leader lock, so the others, whose data follows the discarded history, cannot lead
        for (PatroniRest.Member m : others) {
            progress.step("re-initialising member '" + m.name() + "' from this leader: its data follows the discarded history");
            String refused = api.reinitialize(m.api());
            if (refused != null) {
                throw new PgboxException(ErrorKind.TOOL_FAILED, "member '" + m.name() + "' refused to re-initialise", refused
                        + "; the restore itself is done: member '" + api.me() + "' leads on the restored history",
                        "run 'patronictl reinit " + server.settings().get(Setting.PATRONI_CLUSTER) + " " + m.name() + " --force'");
            }
        }
        for (PatroniRest.Member m : others) {
            awaitStreaming(m.name(), timeline, progress);
            done.add("member '" + m.name() + "' re-initialised and streaming on timeline " + timeline);
        }
        return done;
    }

    /** Resumes Patroni; after a failure ({@code failed}) a failed resume is added to it instead of replacing it. */
    private void resume(Progress progress, RuntimeException failed) {
        progress.step("resuming Patroni on every member");
        try {
            api.pause(false);
            awaitClusterPaused(false);
        } catch (RuntimeException e) {
            if (failed == null) {
                throw e;
            }
            failed.addSuppressed(e);
        }
    }

    /** Waits until every listed member's Patroni runs paused (a member whose Patroni does not answer cannot act either). */
    private void awaitPaused(List<PatroniRest.Member> members) {
        long deadline = System.nanoTime() + NOTICE.toNanos();
        for (PatroniRest.Member m : members) {
            while (true) {
                Boolean paused = api.pausedAt(m.api());
                if (paused == null || paused) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new PgboxException(ErrorKind.TIMEOUT, "member '" + m.name() + "' did not pause within " + NOTICE.toSeconds() + "s",
                            "its Patroni at " + m.api() + " still manages PostgreSQL", "read its Patroni log; nothing was restored");
                }
                sleep(300);
            }
        }
    }

    /** Waits until /cluster no longer (or, {@code paused}, again) reports the pause. */
    private void awaitClusterPaused(boolean paused) {
        long deadline = System.nanoTime() + NOTICE.toNanos();
        while (api.cluster().paused() != paused) {
            if (System.nanoTime() > deadline) {
                throw new PgboxException(ErrorKind.TIMEOUT, "Patroni still reports the cluster " + (paused ? "running" : "paused"),
                        "after PATCH /config {\"pause\": " + paused + "}", "run 'patronictl resume' and check 'pgbox ha status'");
            }
            sleep(300);
        }
    }

    /** Waits until this member holds the leader lock. */
    private void awaitLeader() {
        Duration timeout = Duration.ofMillis(server.settings().millis(Setting.PGBOX_START_TIMEOUT)).plusSeconds(30);
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                PatroniRest.Member me = api.cluster().member(api.me());
                if (me != null && me.leader()) {
                    return;
                }
                last = me == null ? "Patroni does not list '" + api.me() + "'" : "'" + api.me() + "' is " + me.role() + ", " + me.state();
            } catch (PgboxException e) {
                last = e.reason();
            }
            sleep(500);
        }
        throw new PgboxException(ErrorKind.TIMEOUT, "Patroni did not take the leader lock for the restored member within "
                + timeout.toSeconds() + "s", last, "read " + PatroniSupervisor.logFile(server.layout(), PatroniSupervisor.PATRONI));
    }

    /** Waits until member {@code name} streams from this leader on {@code timeline} (cloning takes as long as the data is big). */
    private void awaitStreaming(String name, int timeline, Progress progress) {
        Duration timeout = Duration.ofMillis(server.settings().millis(Setting.PGBOX_START_TIMEOUT)).multipliedBy(20);
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "not listed";
        while (System.nanoTime() < deadline) {
            try {
                PatroniRest.Member m = api.cluster().member(name);
                if (m != null && m.state().equals("streaming") && m.timeline() != null && m.timeline() == timeline) {
                    progress.detail("member '" + name + "' streams on timeline " + timeline);
                    return;
                }
                last = m == null ? "not listed" : m.role() + ", " + m.state() + (m.timeline() == null ? "" : ", timeline " + m.timeline());
            } catch (PgboxException e) {
                last = e.reason();
            }
            sleep(1000);
        }
        throw new PgboxException(ErrorKind.TIMEOUT, "member '" + name + "' did not stream on the new timeline " + timeline + " within "
                + timeout.toSeconds() + "s", "it is " + last + "; this member is the restored leader and runs",
                "read the Patroni log of member '" + name + "'; 'patronictl reinit' re-clones it");
    }

    /** After the resume: this member is the running leader again. */
    private void awaitRunningLeader() {
        Duration timeout = Duration.ofMillis(server.settings().millis(Setting.PGBOX_START_TIMEOUT)).plusSeconds(30);
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            PatroniRest.Cluster c = api.cluster();
            PatroniRest.Member me = c.member(api.me());
            if (me != null && me.leader() && me.state().equals("running") && !c.paused()) {
                return;
            }
            last = me == null ? "not listed" : me.role() + ", " + me.state() + (c.paused() ? ", paused" : "");
            sleep(500);
        }
        throw new PgboxException(ErrorKind.TIMEOUT, "member '" + api.me() + "' is not the running leader after the restore", last,
                "'pgbox ha status' shows the cluster; read " + PatroniSupervisor.logFile(server.layout(), PatroniSupervisor.PATRONI));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
