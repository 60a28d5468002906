package dev.pgbox.jobs;

import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import dev.pgbox.cluster.Server;

/**
 * The jobs pgbox keeps for every app (STUB: the jobs helper builds it): pg_partman maintenance,
 * the soft-delete purge of np_ tables with deleted_at, and the monthly REINDEX CONCURRENTLY of
 * vector indexes. Idempotent: adds what is missing, updates what changed, removes what no longer applies.
 */
public final class DefaultJobs {
    private DefaultJobs() {
    }

    /** Brings one app's default jobs up to date (after partition create, new tables, at start and by the agent). */
    public static void sync(Server server, AppName app, Progress progress) {
        // stub
    }
}
