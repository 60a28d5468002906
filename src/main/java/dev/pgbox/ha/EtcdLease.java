package dev.pgbox.ha;

import dev.pgbox.PgboxException;
import java.util.List;

/**
 * The leader lease as etcd holds it: Patroni's leader key {@code /service/<cluster>/leader} (its
 * value is the leader's member name) is bound to an etcd lease, whose time to live is how long the
 * leader may stay leader without renewing it. Read through {@link EtcdApi} (etcd 3.4's JSON gateway).
 */
final class EtcdLease {
    private EtcdLease() {
    }

    /**
     * The leader lease: who holds the leader key and the seconds left on its lease.
     *
     * @param holder null when there is no leader key (no member is leader)
     * @param secondsLeft null when unknown or expired
     */
    record Lease(String holder, Long secondsLeft) {
    }

    /** Patroni's leader key for {@code cluster} (its default namespace "service"). Pure. */
    static String leaderKey(String cluster) {
        return "/service/" + cluster + "/leader";
    }

    /** The lease from {@code kvs} (a range read of the leader key) and a time-to-live lookup. Pure but for {@code ttl}. */
    static Lease of(List<EtcdApi.Kv> kvs, String cluster, java.util.function.LongUnaryOperator ttl) {
        EtcdApi.Kv key = kvs.stream().filter(kv -> kv.key().equals(leaderKey(cluster))).findFirst().orElse(null);
        if (key == null) {
            return new Lease(null, null);
        }
        if (key.lease() == 0) {
            return new Lease(key.value(), null);
        }
        long seconds = ttl.applyAsLong(key.lease());
        return new Lease(key.value(), seconds < 0 ? null : seconds);
    }

    /** The lease as the etcd endpoints tell it; null when etcd does not answer. */
    static Lease read(List<String> endpoints, String cluster) {
        EtcdApi etcd = new EtcdApi(endpoints);
        try {
            return of(etcd.prefix(leaderKey(cluster)), cluster, etcd::ttl);
        } catch (PgboxException e) {
            return null;
        }
    }
}
