package dev.pgbox.replication;

import java.util.List;

/**
 * What {@code pgbox db replica --status} shows, on either side, as {@code --json} prints it (snake_case
 * through {@link dev.pgbox.Json}). On a primary: one entry per streaming replica or replication slot
 * (pg_stat_replication joined with pg_replication_slots). On a replica: one entry for itself
 * (pg_stat_wal_receiver and its replay position), with {@code upstream} naming its primary.
 *
 * @param role "primary" or "replica"
 * @param upstream the primary a replica streams from (HOST:PORT), null on a primary or while disconnected
 * @param replicas per replica; empty on a primary without any
 */
public record ReplicaReport(String role, String upstream, List<Replica> replicas) {

    /**
     * One replica's stream. LSNs are PostgreSQL's text form (0/3000148); null when unknown (a slot
     * whose replica is disconnected has no sender).
     *
     * @param name the replica's application_name (its slot name, as pgbox sets it)
     * @param clientAddress where the replica connects from (primary side only)
     * @param state the sender's or receiver's state: streaming, catchup, startup, ...; "disconnected" when only the slot is left
     * @param sentLsn WAL sent to the replica (on the replica: the primary's end of WAL it last heard of)
     * @param lagBytes WAL the replica has not replayed yet, in bytes (never negative)
     * @param lagSeconds how far replay is behind, in seconds (0 when it has replayed everything)
     * @param slot the replication slot that keeps the WAL this replica still needs
     * @param slotActive whether a replica is connected on that slot (primary side only)
     * @param syncState async, potential, sync or quorum (primary side only)
     */
    public record Replica(String name, String clientAddress, String state, String sentLsn, String writeLsn, String flushLsn,
                          String replayLsn, Long lagBytes, Double lagSeconds, String slot, Boolean slotActive, String syncState) {
    }
}
