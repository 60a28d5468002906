package dev.pgbox.memory;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.config.Size;
import dev.pgbox.sql.Jdbc;
import dev.pgbox.tune.Machine;
import dev.pgbox.tune.MachineProbe;
import dev.pgbox.tune.RamBudget;
import dev.pgbox.tune.RamPlan;
import dev.pgbox.tune.Tuner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * 'memory index': picks the vector index's parameters ({@link IndexChoice}), checks that the build fits
 * maintenance_work_mem ({@link IndexSize}, {@link BuildMemory}) and builds it concurrently as the app's
 * owner role, with progress from pg_stat_progress_create_index read on a second connection.
 *
 * <p>The swap: CREATE INDEX CONCURRENTLY np_NAME_embedding_idx_new (same partial predicate, the
 * metric's operator class), check it is valid, then in one short transaction rename the old index to
 * np_NAME_embedding_idx_old and the new one to np_NAME_embedding_idx (a rename takes only a
 * ShareUpdateExclusiveLock, so searches go on), then DROP INDEX CONCURRENTLY the old one. Searches use
 * an index at every moment; a failure before the swap leaves the old index serving, and the next run
 * first drops whatever _new or _old index a killed run left behind. A session advisory lock keeps two
 * runs on the same collection apart.
 */
final class IndexManager {
    private static final long POLL_MILLIS = 250;
    private static final long PROGRESS_EVERY_MILLIS = 2000;
    private final Memories memories;

    IndexManager(Memories memories) {
        this.memories = memories;
    }

    /** The server settings the decisions read. */
    record ServerMemory(long maintenanceWorkMem, long sharedBuffers, int maxConnections, long workMem, int maxWorkerProcesses,
                        int maxParallelWorkers, int maxParallelMaintenanceWorkers) {
    }

    IndexReport build(AppName app, CollectionName name, IndexOptions options, Progress progress) {
        long started = System.nanoTime();
        return memories.sessions().withConnection(app, true, c -> {
            Collection col = Registry.require(c, app, name);
            String index = CollectionDdl.vectorIndex(name);
            progress.step("counting the live rows of " + name.sql());
            long rows = col.tenant() ? plannerRows(c, name) : count(c, name);
            IndexChoice choice = IndexChoice.choose(rows, options, col.indexType(), col.efSearch());
            Long currentBytes = currentIndexBytes(c, index);
            ServerMemory sm = serverMemory(c);
            long estimate = IndexSize.estimate(choice, rows, col.dim());
            BuildMemory mem = memoryFor(sm, estimate);
            int workers = parallelWorkers(sm, machine().cpus());
            progress.detail(rows + " rows, " + col.dim() + " dimensions: " + choice.summary() + " (" + String.join("; ", choice.reasons()) + ")");
            progress.detail(mem.describe());
            if (options.dryRun()) {
                return report(app, col, index, choice, rows, estimate, currentBytes, mem, workers, false, null, List.of(), List.of(), started);
            }
            if (!advisoryLock(c, name)) {
                throw new PgboxException(ErrorKind.USAGE, "another 'memory index' of collection '" + name + "' is running",
                        "two builds of one collection would replace each other's index", "wait for it to finish, then run again");
            }
            try {
                dropLeftovers(c, name, progress);
                List<String> phases = new ArrayList<>();
                List<String> notices = new ArrayList<>();
                buildNew(app, c, col, choice, mem, workers, progress, phases, notices);
                swap(c, name, progress);
                String definition = definition(c, index);
                if (!col.indexType().equals(choice.type())) {
                    // an ef_search does not apply to ivfflat, nor probes to hnsw
                    Registry.saveTuning(c, name, null, null, null);
                }
                Registry.saveIndexType(c, name, choice.type());
                return report(app, col, index, choice, rows, estimate, currentBytes, mem, workers, true, definition, phases, notices, started);
            } finally {
                advisoryUnlock(c, name);
            }
        });
    }

    private IndexReport report(AppName app, Collection col, String index, IndexChoice choice, long rows, long estimate, Long currentBytes,
                               BuildMemory mem, int workers, boolean built, String definition, List<String> phases, List<String> notices,
                               long started) {
        return new IndexReport(app.value(), col.name(), index, choice.type(), choice.m(), choice.efConstruction(), choice.lists(), rows,
                col.dim(), col.metric(), choice.reasons(), estimate, currentBytes, Size.format(mem.serverBytes()), Size.format(mem.useBytes()),
                mem.raised(), mem.fits(), mem.boundBytes(), mem.boundRule(), mem.describe(), workers, built, definition, List.copyOf(phases),
                List.copyOf(notices), (System.nanoTime() - started) / 1_000_000);
    }

    private Machine machine() {
        Settings s = memories.settings();
        return MachineProbe.probe(s, s.projectDir().resolve(".pgbox"));
    }

    /** The memory decision: the bound from the RAM plan (see {@link BuildMemory}). */
    private BuildMemory memoryFor(ServerMemory sm, long estimate) {
        Settings s = memories.settings();
        RamBudget plan = RamPlan.budget(MachineProbe.plan(s, s.projectDir().resolve(".pgbox")));
        long bound = BuildMemory.bound(plan);
        String rule = BuildMemory.boundRule(plan);
        return BuildMemory.decide(sm.maintenanceWorkMem(), estimate, bound, rule);
    }

    /**
     * Parallel workers for the build: one per CPU but the leader's, at least what the server allows
     * already, within max_parallel_workers and the background workers left after pg_cron's.
     */
    static int parallelWorkers(ServerMemory sm, int cpus) {
        int wanted = Math.max(cpus - 1, sm.maxParallelMaintenanceWorkers());
        int room = Math.min(sm.maxParallelWorkers(), sm.maxWorkerProcesses() - Tuner.CRON_WORKERS);
        return Math.max(0, Math.min(wanted, room));
    }

    private static long count(Connection c, CollectionName name) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + name.sql() + " WHERE deleted_at IS NULL")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * A tenant collection's rows as the planner's statistics count them: its row-level security is forced, so
     * even the owner counts no rows without a tenant (soft-deleted rows are included; ANALYZE keeps it current).
     */
    private static long plannerRows(Connection c, CollectionName name) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT greatest(reltuples, 0)::bigint FROM pg_class"
                + " WHERE oid = '" + name.sql() + "'::regclass")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Long currentIndexBytes(Connection c, String index) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_relation_size(to_regclass(?))")) {
            ps.setString(1, "public." + index);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long v = rs.getLong(1);
                return rs.wasNull() ? null : v;
            }
        }
    }

    private static ServerMemory serverMemory(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_size_bytes(current_setting('maintenance_work_mem')),"
                + " pg_size_bytes(current_setting('shared_buffers')), current_setting('max_connections')::int,"
                + " pg_size_bytes(current_setting('work_mem')), current_setting('max_worker_processes')::int,"
                + " current_setting('max_parallel_workers')::int, current_setting('max_parallel_maintenance_workers')::int")) {
            rs.next();
            return new ServerMemory(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getLong(4), rs.getInt(5), rs.getInt(6), rs.getInt(7));
        }
    }

    private static String lockKey(CollectionName name) {
        return "pgbox memory index " + name.sql();
    }

    private static boolean advisoryLock(Connection c, CollectionName name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
            ps.setString(1, lockKey(name));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static void advisoryUnlock(Connection c, CollectionName name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
            ps.setString(1, lockKey(name));
            ps.execute();
        }
    }

    static String newName(CollectionName name) {
        return CollectionDdl.vectorIndex(name) + "_new";
    }

    static String oldName(CollectionName name) {
        return CollectionDdl.vectorIndex(name) + "_old";
    }

    private static boolean exists(Connection c, String index) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, "public." + index);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** A killed run leaves an (often invalid) _new index, or an _old one after the swap: both are dropped. */
    private static void dropLeftovers(Connection c, CollectionName name, Progress progress) throws SQLException {
        for (String leftover : List.of(newName(name), oldName(name))) {
            if (exists(c, leftover)) {
                progress.step("dropping " + leftover + ", left behind by an earlier run that did not finish");
                try (Statement st = c.createStatement()) {
                    st.execute("DROP INDEX CONCURRENTLY IF EXISTS public." + leftover);
                }
            }
        }
    }

    private void buildNew(AppName app, Connection c, Collection col, IndexChoice choice, BuildMemory mem, int workers, Progress progress,
                          List<String> phases, List<String> notices) throws SQLException {
        CollectionName name = col.collectionName();
        String tmp = newName(name);
        String sql = "CREATE INDEX CONCURRENTLY " + tmp + " ON " + name.sql() + " USING " + choice.type() + " (embedding "
                + col.metricKind().opclass() + ") WITH (" + choice.with() + ") WHERE deleted_at IS NULL";
        progress.step("building " + tmp + " concurrently: " + choice.summary() + ", maintenance_work_mem " + Size.format(mem.useBytes())
                + ", up to " + workers + " parallel workers");
        long pid;
        try (Statement st = c.createStatement()) {
            // session settings for this build only (CREATE INDEX CONCURRENTLY cannot run in a transaction); reset below
            st.execute("SET maintenance_work_mem = '" + Size.format(mem.useBytes()) + "'");
            st.execute("SET max_parallel_maintenance_workers = " + workers);
            // a build takes as long as it takes: the app roles' statement_timeout would cancel it
            st.execute("SET statement_timeout = 0");
            try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getLong(1);
            }
        }
        ProgressPoller poller = new ProgressPoller(app, pid, progress);
        Thread thread = new Thread(poller, "pgbox-index-progress");
        thread.setDaemon(true);
        thread.start();
        try (Statement st = c.createStatement()) {
            st.execute(sql);
            for (SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
                notices.add(w.getMessage());
                progress.detail("server: " + w.getMessage());
            }
        } catch (SQLException e) {
            poller.stop(thread);
            String cause = Jdbc.sqlCause(e);
            try (Statement st = c.createStatement()) {
                st.execute("DROP INDEX CONCURRENTLY IF EXISTS public." + tmp);
            } catch (SQLException ignored) {
                // the next run drops it
            }
            throw new PgboxException(ErrorKind.SQL, "building the index of collection '" + name + "' failed", cause,
                    "the old index " + CollectionDdl.vectorIndex(name) + " still serves searches; fix the cause and run 'pgbox memory index "
                            + app + " " + name + "' again");
        } finally {
            poller.stop(thread);
            phases.addAll(poller.phases());
            try (Statement st = c.createStatement()) {
                st.execute("RESET maintenance_work_mem");
                st.execute("RESET max_parallel_maintenance_workers");
                st.execute("RESET statement_timeout");
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(?)")) {
            ps.setString(1, "public." + tmp);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    throw new PgboxException(ErrorKind.SQL, "the new index " + tmp + " is not valid", "CREATE INDEX CONCURRENTLY did not complete",
                            "run 'pgbox memory index " + app + " " + name + "' again: it drops " + tmp + " first; the old index still serves");
                }
            }
        }
    }

    private static void swap(Connection c, CollectionName name, Progress progress) throws SQLException {
        String index = CollectionDdl.vectorIndex(name);
        String tmp = newName(name);
        String old = oldName(name);
        boolean hadOld = exists(c, index);
        progress.step("putting the new index in place of " + (hadOld ? "the old one" : "none"));
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL lock_timeout = '30s'");
            if (hadOld) {
                st.execute("ALTER INDEX public." + index + " RENAME TO " + old);
            }
            st.execute("ALTER INDEX public." + tmp + " RENAME TO " + index);
            MemorySql.commit(c);
        } catch (SQLException e) {
            MemorySql.rollback(c);
            throw e;
        }
        if (hadOld) {
            try (Statement st = c.createStatement()) {
                st.execute("DROP INDEX CONCURRENTLY IF EXISTS public." + old);
            }
        }
    }

    private static String definition(Connection c, String index) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_get_indexdef(to_regclass(?))")) {
            ps.setString(1, "public." + index);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /**
     * Reads pg_stat_progress_create_index for the building backend on its own connection (as the app's
     * login role: the view shows a backend's details to its own login) and reports phase changes and,
     * every few seconds, the counts.
     */
    private final class ProgressPoller implements Runnable {
        private final AppName app;
        private final long pid;
        private final Progress progress;
        private final List<String> phases = new ArrayList<>();
        private volatile boolean running = true;

        ProgressPoller(AppName app, long pid, Progress progress) {
            this.app = app;
            this.pid = pid;
            this.progress = progress;
        }

        @Override
        public void run() {
            try {
                memories.sessions().withConnection(app, false, c -> {
                    poll(c);
                    return null;
                });
            } catch (RuntimeException e) {
                // progress is a courtesy: the build goes on without it
            }
        }

        private void poll(Connection c) throws SQLException {
            String last = null;
            long lastShown = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total"
                    + " FROM pg_stat_progress_create_index WHERE pid = ?")) {
                ps.setLong(1, pid);
                while (running) {
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            String phase = rs.getString(1);
                            long now = System.nanoTime() / 1_000_000;
                            boolean changed = !phase.equals(last);
                            if (changed || now - lastShown >= PROGRESS_EVERY_MILLIS) {
                                if (changed) {
                                    synchronized (phases) {
                                        phases.add(phase);
                                    }
                                }
                                progress.detail(line(phase, rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                                last = phase;
                                lastShown = now;
                            }
                        }
                    }
                    try {
                        Thread.sleep(POLL_MILLIS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        void stop(Thread thread) {
            running = false;
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        List<String> phases() {
            synchronized (phases) {
                return List.copyOf(phases);
            }
        }
    }

    /** One progress line: the phase and whichever counts PostgreSQL (or pgvector) fills in. */
    static String line(String phase, long blocksDone, long blocksTotal, long tuplesDone, long tuplesTotal) {
        StringBuilder b = new StringBuilder(phase);
        if (blocksTotal > 0) {
            b.append(String.format(java.util.Locale.ROOT, ", %d / %d blocks (%.0f %%)", blocksDone, blocksTotal, 100.0 * blocksDone / blocksTotal));
        }
        if (tuplesTotal > 0) {
            b.append(String.format(java.util.Locale.ROOT, ", %d / %d tuples (%.0f %%)", tuplesDone, tuplesTotal, 100.0 * tuplesDone / tuplesTotal));
        } else if (tuplesDone > 0) {
            b.append(", ").append(tuplesDone).append(" tuples");
        }
        return b.toString();
    }
}
