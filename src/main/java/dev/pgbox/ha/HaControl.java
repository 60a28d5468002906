package dev.pgbox.ha;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.cluster.Server;
import dev.pgbox.component.EtcdComponent;
import dev.pgbox.component.HaMember;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Moving the leader on purpose, through Patroni's REST API (Patroni and etcd do the work; pgbox only
 * asks and watches): a planned switchover ({@code POST /switchover}, the leader hands over cleanly) or a
 * forced failover ({@code POST /failover}, to a named member, also when the leader is gone). First
 * {@link #plan} checks what can be checked from the cluster's current state, then {@link #run} asks
 * Patroni and waits until the new leader runs and its PostgreSQL takes writes.
 */
public final class HaControl {
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

    private HaControl() {
    }

    /** A planned switchover or a forced failover. */
    public enum Kind {
        SWITCHOVER, FAILOVER;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The verb: "switch over", "fail over". */
        public String verb() {
            return this == SWITCHOVER ? "switch over" : "fail over";
        }
    }

    /**
     * What is about to happen, checked against the cluster as this member's Patroni sees it now.
     *
     * @param leader the running leader now; null when there is none (failover only)
     * @param candidate the member asked for; null for a switchover to any healthy member
     */
    public record Plan(Kind kind, String cluster, String leader, String candidate, String api) {
        /** One line for a confirmation prompt. */
        public String describe() {
            return kind.word() + " of cluster '" + cluster + "' from " + (leader == null ? "no running leader" : "leader '" + leader + "'")
                    + " to " + (candidate == null ? "the healthiest replica" : "'" + candidate + "'");
        }
    }

    /**
     * Checks a switchover ({@code to} may be null) or failover ({@code to} required) against the cluster:
     * this project is a member (CONFIG), Patroni answers (NOT_RUNNING), {@code to} is a member (USAGE) and
     * not the leader already (USAGE), and some other member runs to take over (NOT_RUNNING).
     */
    public static Plan plan(Settings s, Kind kind, String to) {
        HaStatusService.requireMember(Server.open(s).layout());
        if (kind == Kind.FAILOVER && to == null) {
            throw new PgboxException(ErrorKind.USAGE, "a failover needs the member to promote", "--to MEMBER is missing",
                    "name it: pgbox ha failover --to MEMBER (the members are in 'pgbox ha status')");
        }
        HaMember me = HaMember.of(s, EtcdComponent.hostName());
        String api = HaService.restUrl(s, me);
        PatroniApi.Answer a = PatroniApi.get(api + "/cluster", s, ASK_TIMEOUT);
        if (a.status() != 200) {
            throw new PgboxException(ErrorKind.NOT_RUNNING, "cannot " + kind.verb() + ": this member's Patroni does not tell the cluster's state",
                    a.answered() ? "Patroni answered " + a.status() + ": " + a.body().strip() : "no answer from " + api + " (" + a.body() + ")",
                    "start this member ('pgbox start'); 'pgbox ha status' shows etcd and Patroni");
        }
        List<HaStatus.Member> members = PatroniCluster.members(a.body());
        HaStatus.Member leader = members.stream().filter(m -> m.role().equals("leader") && m.state().equals("running")).findFirst()
                .orElse(null);
        return check(kind, me.cluster(), members, leader == null ? null : leader.name(), to, api);
    }

    /** The checks of {@link #plan} on a member list. Pure. */
    static Plan check(Kind kind, String cluster, List<HaStatus.Member> members, String leader, String to, String api) {
        List<String> names = members.stream().map(HaStatus.Member::name).toList();
        if (to != null && !names.contains(to)) {
            throw new PgboxException(ErrorKind.USAGE, "unknown member '" + to + "'",
                    "cluster '" + cluster + "' has the members " + String.join(", ", names),
                    "name one of them with --to (see 'pgbox ha status')");
        }
        if (to != null && to.equals(leader)) {
            throw new PgboxException(ErrorKind.USAGE, "'" + to + "' is already the leader", "there is nothing to " + kind.verb(),
                    "name another member with --to" + (kind == Kind.SWITCHOVER ? ", or leave --to out to pick the healthiest replica" : ""));
        }
        if (kind == Kind.SWITCHOVER && leader == null) {
            throw new PgboxException(ErrorKind.NOT_RUNNING, "cannot switch over: cluster '" + cluster + "' has no running leader",
                    "a switchover is a hand-over by the running leader", "force it with 'pgbox ha failover --to MEMBER'");
        }
        List<HaStatus.Member> healthy = members.stream().filter(m -> !m.name().equals(leader))
                .filter(m -> to == null || m.name().equals(to)).filter(HaControl::canTakeOver).toList();
        if (healthy.isEmpty()) {
            String cause = members.size() <= 1 ? "cluster '" + cluster + "' has only one member ('" + (leader != null ? leader : names.isEmpty()
                    ? "none" : names.get(0)) + "')"
                    : to != null ? "member '" + to + "' is " + members.stream().filter(m -> m.name().equals(to)).findFirst()
                    .map(m -> m.role() + ", " + m.state()).orElse("gone")
                    : "no replica is running or streaming";
            throw new PgboxException(ErrorKind.NOT_RUNNING, "cannot " + kind.verb() + ": no healthy member to take over", cause,
                    members.size() <= 1 ? "add a member first ('pgbox ha join' on another host), then " + kind.verb()
                            : "start the replicas ('pgbox start' on their hosts) and wait until 'pgbox ha status' shows them streaming");
        }
        return new Plan(kind, cluster, leader, to, api);
    }

    /** A member that could become leader: a replica whose PostgreSQL runs (Patroni 4 says streaming; older ones running). */
    private static boolean canTakeOver(HaStatus.Member m) {
        return m.state().equals("streaming") || m.state().equals("running");
    }

    /**
     * Asks Patroni for the switchover or failover, then waits (up to PGBOX_START_TIMEOUT) until a member
     * other than the old leader (the candidate, when one was named) is the running leader and its REST
     * API answers {@code GET /primary} with 200 (its PostgreSQL is out of recovery and holds the lock).
     * Patroni refusing is a TOOL_FAILED error carrying Patroni's own answer.
     */
    public static HaSwitch run(Settings s, Plan plan, Progress progress) {
        long started = System.nanoTime();
        String body = plan.kind() == Kind.SWITCHOVER
                ? "{\"leader\":" + quote(plan.leader()) + (plan.candidate() != null ? ",\"candidate\":" + quote(plan.candidate()) : "") + "}"
                : "{\"candidate\":" + quote(plan.candidate()) + "}";
        progress.step("asking Patroni for a " + plan.describe());
        // Patroni answers once it sees the new leader (it polls for up to about 20 s) or gives up
        PatroniApi.Answer a = PatroniApi.post(plan.api() + "/" + plan.kind().word(), body, s, Duration.ofSeconds(90));
        String answer = a.body().strip();
        if (!a.answered()) {
            throw new PgboxException(ErrorKind.NOT_RUNNING, plan.kind().word() + " not started: Patroni did not answer",
                    a.body(), "check this member with 'pgbox ha status'");
        }
        // "status unknown": Patroni stopped watching; the new leader may still come, so go on watching ourselves
        if (a.status() != 200 && !(a.status() == 503 && answer.contains("status unknown"))) {
            throw new PgboxException(ErrorKind.TOOL_FAILED, "Patroni refused the " + plan.kind().word(),
                    "Patroni answered " + a.status() + ": " + answer,
                    "see 'pgbox ha status' (is the candidate a healthy, in-sync replica?); " + hint(answer));
        }
        progress.step("Patroni: " + answer + "; waiting until the new leader takes writes");
        Duration timeout = Duration.ofMillis(s.millis(Setting.PGBOX_START_TIMEOUT));
        String newLeader = awaitWritableLeader(s, plan, started + timeout.toNanos(), progress);
        double seconds = (System.nanoTime() - started) / 1e9;
        return new HaSwitch(plan.kind().word(), plan.cluster(), plan.leader(), newLeader, Math.round(seconds * 10) / 10.0, answer);
    }

    private static String hint(String answer) {
        if (answer.contains("sync_standby")) {
            return "in synchronous mode a switchover goes to the sync standby: name it with --to, or use 'pgbox ha failover --to'";
        }
        return "read patroni.log in the log folder";
    }

    /** Returns the new leader's name once it runs as leader and its /primary answers 200. */
    private static String awaitWritableLeader(Settings s, Plan plan, long deadline, Progress progress) {
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            PatroniApi.Answer c = PatroniApi.get(plan.api() + "/cluster", s, ASK_TIMEOUT);
            if (c.status() == 200) {
                List<HaStatus.Member> members = PatroniCluster.members(c.body());
                HaStatus.Member leader = members.stream().filter(m -> m.role().equals("leader")).findFirst().orElse(null);
                String seen = leader == null ? "no leader" : "leader '" + leader.name() + "' " + leader.state();
                if (!seen.equals(last)) {
                    progress.detail(seen);
                    last = seen;
                }
                if (leader != null && leader.state().equals("running") && !leader.name().equals(plan.leader())
                        && (plan.candidate() == null || plan.candidate().equals(leader.name()))) {
                    Map<String, String> apis = PatroniCluster.apiUrls(c.body());
                    String url = base(apis.get(leader.name()));
                    if (url != null && PatroniApi.get(url + "/primary", null, ASK_TIMEOUT).status() == 200) {
                        return leader.name();
                    }
                    last = "leader '" + leader.name() + "' runs but its /primary does not answer 200 yet";
                }
            }
            sleep(250);
        }
        throw new PgboxException(ErrorKind.TIMEOUT, "the " + plan.kind().word() + " did not finish in time",
                "last seen: " + last, "watch 'pgbox ha status'; read patroni.log on the members; raise PGBOX_START_TIMEOUT for slow hosts");
    }

    /** A member's REST API root from its api_url (Patroni appends /patroni). */
    static String base(String apiUrl) {
        if (apiUrl == null) {
            return null;
        }
        return apiUrl.endsWith("/patroni") ? apiUrl.substring(0, apiUrl.length() - "/patroni".length()) : apiUrl;
    }

    /** A member name as a JSON string; names are checked ([a-z][a-z0-9_]*) but quoting keeps any text inert. */
    static String quote(String text) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
