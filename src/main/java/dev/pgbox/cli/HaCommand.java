package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.Json;
import dev.pgbox.ha.HaControl;
import dev.pgbox.ha.HaInitReport;
import dev.pgbox.ha.HaJoin;
import dev.pgbox.ha.HaService;
import dev.pgbox.ha.HaStatus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ha", mixinStandardHelpOptions = true,
        description = {"High availability on Patroni + etcd. See the README's HA section.",
                "init: make this project the first member (Patroni runs PostgreSQL, with a local etcd member).",
                "join: make a new project (another host) a member of an existing cluster.",
                "status: the cluster, its etcd endpoints and every member.",
                "switchover: hand the leader role over (planned). failover: force a member to become leader."},
        subcommands = {HaCommand.Init.class, HaCommand.Join.class, HaCommand.Status.class, HaCommand.Switchover.class,
                HaCommand.Failover.class})
final class HaCommand extends BaseCommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Make this project (started once by 'pgbox start') the first member of a Patroni cluster:",
                    "installs Patroni and etcd, generates the HA passwords into .env.secrets, creates the replication",
                    "and rewind roles, then hands the server to Patroni with a local etcd member. Needs",
                    "POSTGRES_LISTEN set to this member's address (127.0.0.2 works for a one-box trial)."})
    static final class Init extends BaseCommand implements Callable<Integer> {
        @Option(names = "--cluster", paramLabel = "NAME", description = "The cluster's name (default: PATRONI_CLUSTER, else the folder's name).")
        String cluster;

        @Option(names = "--member", paramLabel = "NAME", description = "This member's name (default: PATRONI_MEMBER, else the host name).")
        String member;

        @Override
        public Integer call() {
            HaInitReport r = HaService.init(settings(), cluster, member, console());
            PrintWriter o = out();
            o.println((r.alreadyMember() ? "HA member '" : "this project is now HA member '") + r.member() + "' of cluster '" + r.cluster()
                    + "' (leader)");
            for (String a : r.actions()) {
                o.println("  " + a);
            }
            o.println("  address:  " + r.address() + " · Patroni REST " + r.patroniApi() + " · etcd " + r.etcd());
            o.println("  secrets:  " + (r.generatedSecrets().isEmpty() ? "kept" : "generated " + String.join(", ", r.generatedSecrets()))
                    + " in " + r.secretsFile() + " (not shown)");
            o.println("  configs:  " + r.configFolder() + " (patroni.yml, etcd.yml)");
            o.println("  next:     pgbox ha status · pgbox start / stop now run Patroni and etcd");
            return 0;
        }
    }

    @Command(name = "join", mixinStandardHelpOptions = true,
            description = {"Make this new project (no data of its own yet) a member of an existing cluster: finds the cluster",
                    "and its leader in etcd, checks the leader lets this host replicate, adds this host's etcd member",
                    "(unless --no-etcd-member), then Patroni copies the leader's data and streams from it. The leader",
                    "must allow this address: PATRONI_REPLICATION_CIDRS on every member. Needs POSTGRES_LISTEN set to",
                    "this member's address and the first member's secrets (--secrets-from its .env.secrets).",
                    "A failed join undoes itself."})
    static final class Join extends BaseCommand implements Callable<Integer> {
        @Option(names = "--cluster", required = true, paramLabel = "NAME", description = "The cluster to join (PATRONI_CLUSTER of its members).")
        String cluster;

        @Option(names = "--etcd", required = true, split = ",", paramLabel = "URL",
                description = "Client URL(s) of the cluster's etcd members, e.g. http://10.0.0.1:2379 (comma-separated).")
        java.util.List<String> etcd;

        @Option(names = "--member", paramLabel = "NAME", description = "This member's name (default: PATRONI_MEMBER, else the host name).")
        String member;

        @Option(names = "--secrets-from", paramLabel = "FILE",
                description = "A copy of the first member's .env.secrets: its lines are copied into this project's .env.secrets.")
        java.nio.file.Path secretsFrom;

        @Option(names = "--no-etcd-member", description = "Run no etcd member on this host (Patroni uses the --etcd members only).")
        boolean noEtcdMember;

        @Option(names = "--json", description = "Print what was done as JSON.")
        boolean json;

        @Override
        public Integer call() {
            HaJoin.Report r = HaJoin.join(settings(), cluster, etcd, member, secretsFrom, !noEtcdMember, console());
            PrintWriter o = out();
            if (json) {
                o.println(Json.render(r));
                return 0;
            }
            o.println((r.alreadyMember() ? "HA member '" : "this project is now HA member '") + r.member() + "' of cluster '" + r.cluster()
                    + "'" + (r.leader() != null ? " (a replica of '" + r.leader() + "')" : ""));
            for (String a : r.actions()) {
                o.println("  " + a);
            }
            o.println("  address:  " + r.address() + " · Patroni REST " + r.patroniApi() + " · etcd " + String.join(",", r.etcdEndpoints())
                    + (r.etcdMember() ? " (with this host's etcd member)" : ""));
            o.println("  configs:  " + r.configFolder() + " (patroni.yml" + (r.etcdMember() ? ", etcd.yml" : "") + ")");
            o.println("  next:     pgbox ha status · pgbox start / stop now run Patroni" + (r.etcdMember() ? " and etcd" : ""));
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"The cluster: name, etcd endpoints and health, the leader lease left (from etcd), and per member:",
                    "role, state, host, port, timeline, lag, sync standby. Exit 4 when etcd or this member's Patroni does not answer."})
    static final class Status extends BaseCommand implements Callable<Integer> {
        @Option(names = "--json", description = "Print the status as JSON.")
        boolean json;

        @Override
        public Integer call() {
            HaStatus r = HaService.status(settings());
            if (json) {
                out().println(Json.render(r));
            } else {
                print(r, out());
            }
            return r.healthy() ? 0 : ErrorKind.NOT_RUNNING.exitCode();
        }

        static void print(HaStatus r, PrintWriter o) {
            o.println("cluster   " + r.cluster() + " (this member: " + r.member() + ")");
            for (HaStatus.Endpoint e : r.etcd()) {
                o.println("etcd      " + e.url() + " · " + (e.healthy() ? "healthy" : "NOT healthy: " + e.detail()));
            }
            if (r.etcdProblem() != null) {
                o.println("ETCD      " + r.etcdProblem());
            }
            o.println("patroni   " + r.patroniApi() + (r.patroniError() != null ? " · " + r.patroniError() : ""));
            if (!r.members().isEmpty()) {
                String row = "%-16s %-13s %-10s %-22s %-8s %-12s %s";
                o.println(String.format(row, "member", "role", "state", "host:port", "timeline", "lag", "sync"));
                for (HaStatus.Member m : r.members()) {
                    o.println(String.format(row, m.name(), m.role(), m.state(), m.host() + ":" + m.port(),
                            m.timeline() == null ? "-" : m.timeline().toString(), m.lag() == null ? "-" : m.lag() + " B",
                            m.syncStandby() ? "sync standby" : "-"));
                }
            }
            if (r.leaderLeaseSeconds() != null) {
                o.println("lease     " + r.leaderLeaseSeconds() + "s left on the leader lease"
                        + (r.leaseHolder() != null ? " (held by '" + r.leaseHolder() + "')" : "") + " in etcd");
            } else if (r.etcdProblem() == null && r.leaseHolder() == null) {
                o.println("lease     no member holds the leader lease in etcd (no leader now)");
            }
        }
    }

    @Command(name = "switchover", mixinStandardHelpOptions = true,
            description = {"Planned change of leader: the leader hands over to MEMBER (or the healthiest replica), cleanly.",
                    "Waits until the new leader runs and takes writes; prints the old and new leader and the seconds taken."})
    static final class Switchover extends BaseCommand implements Callable<Integer> {
        @Option(names = "--to", paramLabel = "MEMBER", description = "The member to hand over to (default: Patroni picks the healthiest).")
        String to;

        @Option(names = "--yes", description = "Do not ask (a switchover asks only on a terminal).")
        boolean yes;

        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @Override
        public Integer call() {
            return move(this, HaControl.Kind.SWITCHOVER, to, yes || System.console() == null, json);
        }
    }

    @Command(name = "failover", mixinStandardHelpOptions = true,
            description = {"Forced change of leader: MEMBER becomes leader, also when the leader is gone. Asks first unless",
                    "--yes (the old leader's last commits may be lost without synchronous replication)."})
    static final class Failover extends BaseCommand implements Callable<Integer> {
        @Option(names = "--to", paramLabel = "MEMBER", required = true, description = "The member to promote.")
        String to;

        @Option(names = "--yes", description = "Do not ask.")
        boolean yes;

        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @Override
        public Integer call() {
            return move(this, HaControl.Kind.FAILOVER, to, yes, json);
        }
    }

    /** Plans (checks), confirms unless {@code yes}, runs and prints a switchover or failover. */
    static int move(BaseCommand c, HaControl.Kind kind, String to, boolean yes, boolean json) {
        HaControl.Plan plan = HaControl.plan(c.settings(), kind, to);
        if (!yes && !Confirm.ask(kind.word(), plan.describe() + ". Type '" + kind.word() + "' to go on: ", kind.word())) {
            c.out().println("no " + kind.word());
            return ErrorKind.USAGE.exitCode();
        }
        dev.pgbox.ha.HaSwitch r = HaControl.run(c.settings(), plan, c.console());
        if (json) {
            c.out().println(Json.render(r));
        } else {
            c.out().printf(java.util.Locale.ROOT, "%s done: leader '%s' -> '%s' in %.1fs (Patroni: %s)%n", kind.word(), r.oldLeader(),
                    r.newLeader(), r.seconds(), r.patroniAnswer());
        }
        return 0;
    }
}
