package dev.pgbox.ha;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.PatroniSupervisor;
import dev.pgbox.cluster.Server;
import dev.pgbox.component.EtcdComponent;
import dev.pgbox.component.HaMember;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pgbox ha status}: the cluster as etcd and this member's Patroni see it. etcd is asked first and
 * directly (its /health, and the leader key's lease), so an etcd outage is named as such instead of
 * showing up as a puzzling Patroni answer.
 */
public final class HaStatusService {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private HaStatusService() {
    }

    /** The status; throws CONFIG when the project is not an HA member. Never throws for a down etcd or Patroni: it says so. */
    public static HaStatus status(Settings s) {
        Layout layout = Server.open(s).layout();
        requireMember(layout);
        HaMember me = HaMember.of(s, EtcdComponent.hostName());
        List<String> endpoints = HaService.etcdEndpoints(s, me);
        List<HaStatus.Endpoint> etcd = new ArrayList<>();
        for (String url : endpoints) {
            PatroniApi.Answer a = PatroniApi.get(url + "/health", null, TIMEOUT);
            boolean healthy = a.status() == 200 && a.body().contains("\"health\":\"true\"");
            etcd.add(new HaStatus.Endpoint(url, healthy, !a.answered() ? "no answer" : healthy ? "healthy" : a.body().strip()));
        }
        String etcdProblem = etcdProblem(etcd, s.integer(Setting.PATRONI_TTL), s.get(Setting.PATRONI_FAILSAFE_MODE).equals("on"));
        EtcdLease.Lease lease = etcdProblem == null ? EtcdLease.read(endpoints, me.cluster()) : null;

        String api = HaService.restUrl(s, me);
        PatroniApi.Answer a = PatroniApi.get(api + "/cluster", s, TIMEOUT);
        String patroniError = null;
        List<HaStatus.Member> members = List.of();
        if (a.status() == 200) {
            members = PatroniCluster.members(a.body());
        } else {
            patroniError = a.answered() ? "Patroni answered " + a.status() + ": " + a.body().strip()
                    : PatroniSupervisor.running(layout, PatroniSupervisor.PATRONI).isEmpty()
                    ? "Patroni is not running on this member (start it: 'pgbox start')"
                    : etcdProblem != null ? "Patroni runs but its REST API does not answer within " + TIMEOUT.toSeconds()
                    + "s: it is waiting on etcd" : "Patroni runs but its REST API does not answer within " + TIMEOUT.toSeconds() + "s";
        }
        return new HaStatus(me.cluster(), me.name(), etcd, api, patroniError, members, lease == null ? null : lease.secondsLeft(),
                lease == null ? null : lease.holder(), etcdProblem);
    }

    /** Throws CONFIG unless 'pgbox ha init' (or join) made this project an HA member. */
    static void requireMember(Layout layout) {
        if (!PatroniSupervisor.isMember(layout)) {
            throw new PgboxException(ErrorKind.CONFIG, "this project is not an HA member", "no " + PatroniSupervisor.memberFile(layout),
                    "run 'pgbox ha init' to make it the first member of a Patroni cluster (or 'pgbox ha join' to add it to one)");
        }
    }

    /**
     * Null when an etcd endpoint reports health (etcd answers /health true only while it has a quorum);
     * else what it means, and what Patroni does then with {@code failsafe} mode on or off. Pure.
     */
    static String etcdProblem(List<HaStatus.Endpoint> etcd, int ttl, boolean failsafe) {
        if (etcd.stream().anyMatch(HaStatus.Endpoint::healthy)) {
            return null;
        }
        boolean anyAnswered = etcd.stream().anyMatch(e -> !e.detail().equals("no answer"));
        String what = anyAnswered ? "etcd has no quorum (its members answer but report unhealthy)" : "etcd is unreachable (no endpoint answers)";
        String patroni = failsafe
                ? "With failsafe mode on (PATRONI_FAILSAFE_MODE), the leader stays writable while every other member's Patroni answers it; "
                + "a leader that cannot reach them all demotes itself to read-only within PATRONI_TTL (" + ttl + "s)"
                : "With failsafe mode off, the leader demotes itself to read-only within PATRONI_TTL (" + ttl + "s)";
        return what + ": no member can take or keep the leader lease. " + patroni + ", and no replica is promoted until etcd is back. "
                + "Fix: start etcd ('pgbox start' on each member starts its etcd member) or bring a majority of the etcd members back";
    }
}
