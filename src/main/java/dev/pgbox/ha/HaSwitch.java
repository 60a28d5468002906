package dev.pgbox.ha;

/**
 * What {@code pgbox ha switchover} or {@code pgbox ha failover} did. Rendered as text or by {@code dev.pgbox.Json}.
 *
 * @param action switchover or failover
 * @param oldLeader the leader before
 * @param newLeader the member that is now the running, writable leader
 * @param seconds from the request to Patroni until the new leader accepted writes
 * @param patroniAnswer Patroni's own answer to the request (e.g. 'Successfully switched over to "b"')
 */
public record HaSwitch(String action, String cluster, String oldLeader, String newLeader, double seconds, String patroniAnswer) {
}
