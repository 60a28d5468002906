package dev.pgbox.tune;

import dev.pgbox.config.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One RAM budget for the box, worst case: every line is memory that may be in use at the same moment. Made from a
 * {@link TuningPlan} (whatever its values: tuned or explicit), so it shows what the server would really run with.
 *
 * <p>The lines: the OS and other services (POSTGRES_HOST_SHARE of RAM); shared_buffers and wal_buffers (allocated whole
 * at start); max_connections x (work_mem x the profile's sorts per query + {@link BoxReserve#BACKEND_BYTES} per backend);
 * parallel and pg_cron workers, each like a connection; the other server processes' own memory; autovacuum workers x
 * maintenance_work_mem; index builds at once x maintenance_work_mem; PgBouncer (a base plus a TLS client's buffers x
 * max_client_conn); the agent JVM (-Xmx, the JVM's own memory, the embedding model). The worst case is their sum; above
 * RAM, the kernel's OOM killer ends a backend and PostgreSQL restarts every session.
 *
 * @param ramBytes the machine's RAM (or POSTGRES_MEMORY)
 * @param ramSource how it was found
 * @param lines every line, in order
 * @param worstBytes the sum of the lines
 * @param warnings what is wrong with it, empty when the worst case fits
 */
public record RamBudget(long ramBytes, String ramSource, List<Line> lines, long worstBytes, List<String> warnings) {

    /**
     * One line of the budget.
     *
     * @param name a stable key (shared_buffers, connections, agent, ...)
     * @param bytes its worst case
     * @param reason how the number is made, with the numbers
     */
    public record Line(String name, long bytes, String reason) {
    }

    /** Whether the worst case fits the RAM. */
    public boolean fits() {
        return worstBytes <= ramBytes;
    }

    /** RAM no line claims (negative when the worst case exceeds RAM). */
    public long headroomBytes() {
        return ramBytes - worstBytes;
    }

    /** The bytes of one line. */
    public long bytes(String name) {
        return lines.stream().filter(l -> l.name().equals(name)).mapToLong(Line::bytes).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no line " + name));
    }

    /** The budget of this plan. */
    public static RamBudget of(TuningPlan plan) {
        Machine m = plan.machine();
        BoxReserve res = plan.reserve();
        long ram = m.ramBytes();
        int conns = Integer.parseInt(plan.value("max_connections"));
        long sb = Size.parse(plan.value("shared_buffers"));
        long wal = Size.parse(plan.value("wal_buffers"));
        long wm = Size.parse(plan.value("work_mem"));
        long maint = Size.parse(plan.value("maintenance_work_mem"));
        int par = Integer.parseInt(plan.value("max_parallel_workers"));
        int av = Integer.parseInt(plan.value("autovacuum_max_workers"));
        int ops = plan.profile().opsPerQuery;
        long oh = BoxReserve.BACKEND_BYTES;
        long perConn = ops * wm + oh;
        List<Line> lines = new ArrayList<>();
        lines.add(new Line("os_and_services", res.hostBytes(ram), res.hostSharePercent() + "% of " + Size.human(ram)
                + " RAM (" + res.hostSource() + "): the kernel, its minimum page cache and the other services on the box"));
        lines.add(new Line("shared_buffers", sb, "shared_buffers " + Size.format(sb) + ", allocated whole at start"));
        lines.add(new Line("wal_buffers", wal, "wal_buffers " + Size.format(wal) + ", in shared memory"));
        lines.add(new Line("connections", conns * perConn, String.format(Locale.ROOT,
                "max_connections %d x (work_mem %s x %d sorts per query (%s profile) + %s per backend): every connection sorting at once",
                conns, Size.format(wm), ops, plan.profile().label(), Size.format(oh))));
        lines.add(new Line("workers", (long) (par + Tuner.CRON_WORKERS) * perConn, String.format(Locale.ROOT,
                "%d parallel workers (max_parallel_workers) + %d pg_cron workers, each like a connection", par, Tuner.CRON_WORKERS)));
        lines.add(new Line("server_processes", BoxReserve.AUX_PROCESSES * oh, BoxReserve.AUX_PROCESSES
                + " processes (checkpointer, writers, archiver, launchers, a WAL sender) x " + Size.format(oh)));
        lines.add(new Line("autovacuum", av * maint, "autovacuum_max_workers " + av + " x maintenance_work_mem " + Size.format(maint)));
        lines.add(new Line("index_builds", BoxReserve.BUILDS_AT_ONCE * maint, "maintenance_work_mem " + Size.format(maint) + " x "
                + BoxReserve.BUILDS_AT_ONCE + " build at once (an HNSW build of pgbox memory may raise it within the headroom)"));
        lines.add(new Line("pooler", res.poolerBytes(), res.pooler()
                ? Size.format(BoxReserve.POOLER_BASE_BYTES) + " + max_client_conn " + res.poolerClients() + " x "
                        + BoxReserve.POOLER_CLIENT_BYTES / Size.KB + "kB (TLS client buffers)"
                : "PgBouncer off (PGBOUNCER_ENABLED)"));
        lines.add(new Line("agent", res.agentBytes(ram), res.agent()
                ? "-Xmx" + BoxReserve.agentHeapBytes(ram) / Size.MB + "m + " + Size.format(BoxReserve.AGENT_JVM_BYTES)
                        + " JVM (metaspace, code, threads) + " + Size.format(BoxReserve.AGENT_MODEL_BYTES) + " embedding model"
                : "agent off (PGBOX_AGENT)"));
        long worst = lines.stream().mapToLong(Line::bytes).sum();
        List<String> warnings = new ArrayList<>();
        if (worst > ram) {
            Line biggest = lines.stream().skip(1).max(java.util.Comparator.comparingLong(Line::bytes)).orElseThrow();
            warnings.add(String.format(Locale.ROOT, "the worst case %s exceeds the %s of RAM (%s) by %s; the biggest line is %s (%s)",
                    Size.human(worst), Size.human(ram), m.ramSource(), Size.human(worst - ram), biggest.name(), Size.human(biggest.bytes())));
        }
        long pg = worst - res.hostBytes(ram) - res.poolerBytes() - res.agentBytes(ram);
        long share = Size.floorMb(Math.multiplyExact(ram, (long) plan.sharePercent()) / 100);
        if (pg > share && worst <= ram) {
            warnings.add(String.format(Locale.ROOT, "PostgreSQL's worst case %s is more than its POSTGRES_RAM_SHARE %d%% (%s)",
                    Size.human(pg), plan.sharePercent(), Size.human(share)));
        }
        return new RamBudget(ram, m.ramSource(), List.copyOf(lines), worst, List.copyOf(warnings));
    }

    /** PostgreSQL's own part of the worst case: every line but the OS's, PgBouncer's and the agent's. */
    public long postgresBytes() {
        return worstBytes - bytes("os_and_services") - bytes("pooler") - bytes("agent");
    }

    /**
     * The most one index build may be given: its maintenance_work_mem line plus the headroom no line claims, so a build
     * raised to it still keeps the worst case within RAM.
     */
    public long buildRoomBytes() {
        return bytes("index_builds") / BoxReserve.BUILDS_AT_ONCE + Math.max(0, headroomBytes());
    }
}
