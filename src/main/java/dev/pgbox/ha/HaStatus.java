package dev.pgbox.ha;

import java.util.List;

/**
 * What {@code pgbox ha status} reports: the cluster, its etcd endpoints and every member as Patroni's
 * REST API lists them. Rendered as text or, unchanged, by {@code dev.pgbox.Json}.
 *
 * @param cluster Patroni's scope (PATRONI_CLUSTER)
 * @param member this host's member name
 * @param patroniApi the REST API asked (GET /cluster)
 * @param patroniError why the API gave no member list; null when it answered
 * @param leaderLeaseSeconds seconds left on the leader's lease in etcd (read from etcd, not Patroni); null when unknown
 * @param leaseHolder the member named in the leader key in etcd; null when there is none or etcd was not read
 * @param etcdProblem why etcd cannot hold the leader lease (unreachable, no quorum) and what Patroni does then; null when
 *                    etcd is healthy
 */
public record HaStatus(String cluster, String member, List<Endpoint> etcd, String patroniApi, String patroniError,
                       List<Member> members, Long leaderLeaseSeconds, String leaseHolder, String etcdProblem) {

    /** True when etcd and this member's Patroni both answered: the cluster can be read and run. */
    public boolean healthy() {
        return patroniError == null && etcdProblem == null;
    }

    /** One etcd client endpoint and whether it answered /health with true. */
    public record Endpoint(String url, boolean healthy, String detail) {
    }

    /**
     * One Patroni member.
     *
     * @param role leader, replica, sync_standby, standby_leader
     * @param state running, streaming, stopped, starting, ...
     * @param lag bytes behind the leader (replay); null for the leader or when Patroni says unknown
     * @param syncStandby true when the leader waits for this member's flush before a commit returns
     */
    public record Member(String name, String role, String state, String host, Integer port, Integer timeline, Long lag,
                         boolean syncStandby) {
    }

    /** The leader, or null when there is none. */
    public Member leader() {
        return members.stream().filter(m -> m.role().equals("leader") || m.role().equals("standby_leader")).findFirst().orElse(null);
    }
}
