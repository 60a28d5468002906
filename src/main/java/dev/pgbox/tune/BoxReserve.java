package dev.pgbox.tune;

import static dev.pgbox.config.Size.KB;
import static dev.pgbox.config.Size.MB;

import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;

/**
 * What else the RAM plan must leave room for besides PostgreSQL itself: the OS and other services,
 * PgBouncer, the agent's JVM. Pure data with the rules that size each part.
 *
 * @param hostSharePercent POSTGRES_HOST_SHARE: the share of RAM kept for the OS and other services
 * @param hostSource where that share was written ("default" when not)
 * @param pooler whether PgBouncer runs (PGBOUNCER_ENABLED=on)
 * @param poolerClients PgBouncer's max_client_conn
 * @param agent whether the agent runs (PGBOX_AGENT=on)
 */
public record BoxReserve(int hostSharePercent, String hostSource, boolean pooler, int poolerClients, boolean agent) {
    /**
     * Private memory one PostgreSQL process keeps besides work_mem: measured 5.1 MB (Private_Dirty + Private_Clean of
     * /proc/PID/smaps_rollup; pg_backend_memory_contexts 2.1 MB) in a PostgreSQL 15 backend on Debian 12 after
     * catalog-heavy queries; its catalog, relation and plan caches grow with the schema, so the plan takes 6 MB. The RSS
     * of the same backend (18 MB) also counts the shared memory it touched, which the plan counts once as shared_buffers.
     * The seed's rule of thumb is 5 to 10 MB.
     */
    public static final long BACKEND_BYTES = 6 * MB;
    /**
     * Server processes that are not connections: checkpointer, background writer, WAL writer, archiver, autovacuum
     * launcher, logical replication launcher, pg_cron's launcher, and one WAL sender (a backup or a replica).
     */
    public static final int AUX_PROCESSES = 8;
    /** Index builds (CREATE INDEX, pgbox memory index builds) the plan leaves room for at once. */
    public static final int BUILDS_AT_ONCE = 1;
    /** PgBouncer's own memory besides its connections (its binary, hash tables, DNS and TLS contexts). */
    public static final long POOLER_BASE_BYTES = 4 * MB;
    /**
     * PgBouncer's memory per client connection: about 2 kB of its own (PgBouncer's README: "2 kB per connection by
     * default", packets are streamed) plus an OpenSSL session's buffers, about 40 kB, since TCP clients must use TLS.
     */
    public static final long POOLER_CLIENT_BYTES = 42 * KB;
    /** max_client_conn when no PGBOUNCER_MAX_CLIENT_CONN setting says otherwise. */
    public static final int DEFAULT_MAX_CLIENT_CONN = 1000;
    /** The agent JVM beside its heap: metaspace and code cache of pgbox's classes, thread stacks, GC structures. */
    public static final long AGENT_JVM_BYTES = 48 * MB;
    /**
     * The agent's embedding model when memory collections are used: all-MiniLM-L6-v2 quantized (23 MB on disk) in one
     * ONNX Runtime session with its arenas.
     */
    public static final long AGENT_MODEL_BYTES = 64 * MB;

    /** The reserve these settings ask for. */
    public static BoxReserve of(Settings s) {
        int clients = DEFAULT_MAX_CLIENT_CONN;
        // PgBouncer's own settings are read by name: the pooling block may or may not have them
        var maxClient = Setting.byName("PGBOUNCER_MAX_CLIENT_CONN");
        if (maxClient.isPresent() && s.isSet(maxClient.get())) {
            clients = s.integer(maxClient.get());
        }
        return new BoxReserve(s.integer(Setting.POSTGRES_HOST_SHARE), s.explicit(Setting.POSTGRES_HOST_SHARE)
                ? "POSTGRES_HOST_SHARE in " + s.source(Setting.POSTGRES_HOST_SHARE) : "POSTGRES_HOST_SHARE default",
                "on".equals(s.get(Setting.PGBOUNCER_ENABLED)), clients, "on".equals(s.get(Setting.PGBOX_AGENT)));
    }

    /** The defaults: 10% for the host, no PgBouncer, the agent on. */
    public static BoxReserve defaults() {
        return new BoxReserve(10, "POSTGRES_HOST_SHARE default", false, DEFAULT_MAX_CLIENT_CONN, true);
    }

    /** RAM kept for the OS and other services. */
    public long hostBytes(long ramBytes) {
        return ramBytes / 100 * hostSharePercent;
    }

    /** PgBouncer's worst case, 0 when it does not run. */
    public long poolerBytes() {
        return pooler ? POOLER_BASE_BYTES + poolerClients * POOLER_CLIENT_BYTES : 0;
    }

    /** The agent's -Xmx for a machine with this much RAM: 1/8 of it, 64 MB to 256 MB. */
    public static long agentHeapBytes(long ramBytes) {
        return Math.max(64 * MB, Math.min(256 * MB, ramBytes / 8 / MB * MB));
    }

    /** The agent JVM's worst case: heap, the JVM's own memory and the embedding model; 0 when it does not run. */
    public long agentBytes(long ramBytes) {
        return agent ? agentHeapBytes(ramBytes) + AGENT_JVM_BYTES + AGENT_MODEL_BYTES : 0;
    }
}
