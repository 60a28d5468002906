package dev.pgbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * The measurements behind bench/failover.sh, on the same harness as FailoverIT: a three-member cluster
 * (each member and its etcd in its own network namespace, synchronous replication on) with a writer on
 * the client host, once per timing profile. Per run it prints one line
 * {@code RESULT <kind> <profile> <seconds> lost=<n>}, where seconds run from the event (kill -9 of the
 * leader's whole host, the switchover request, the cable pulled) to the writer's first acknowledged
 * write on another member, and n counts acknowledged ids missing on the new leader. The shell script
 * takes medians and ratios.
 *
 * <p>Usage: FailoverBench NODE_RUNS OTHER_RUNS PROFILE=TTL/LOOP_WAIT/RETRY_TIMEOUT...
 */
public final class FailoverBench {
    private FailoverBench() {
    }

    public static void main(String[] args) throws Exception {
        int nodeRuns = Integer.parseInt(args[0]);
        int otherRuns = Integer.parseInt(args[1]);
        for (int p = 2; p < args.length; p++) {
            String[] nameAndTimes = args[p].split("=");
            String[] t = nameAndTimes[1].split("/");
            profile(nameAndTimes[0], t[0], t[1], t[2], nodeRuns, otherRuns);
        }
        System.exit(0); // the harness's shutdown hooks have run their close() already
    }

    private static void profile(String name, String ttl, String loopWait, String retryTimeout, int nodeRuns, int otherRuns) throws Exception {
        log(name + ": ttl " + ttl + ", loop_wait " + loopWait + ", retry_timeout " + retryTimeout + ": building 3 members");
        try (HaHosts ha = HaHosts.create(3, "POSTGRES_SYNC_REPLICATION=on", "PATRONI_TTL=" + ttl, "PATRONI_LOOP_WAIT=" + loopWait,
                "PATRONI_RETRY_TIMEOUT=" + retryTimeout)) {
            HaCluster c = new HaCluster(ha);
            boolean done = false;
            try {
                c.build();
                c.startWriter(10);
                c.awaitAck("first writes", 0, HaCluster.leaderIndex(c.awaitSettled("whole")));
                for (int r = 1; r <= nodeRuns; r++) {
                    int leader = HaCluster.leaderIndex(c.awaitSettled("whole"));
                    long at = System.currentTimeMillis();
                    ha.member(leader).host().killAll();
                    AckWriter.Ack first = firstAckElsewhere(c, leader, at);
                    result("node_loss", name, at, first, lost(c, first));
                    HaHosts.Run start = ha.pgbox(leader, "start");
                    if (!start.ok()) {
                        // a pgbox bug to report, not a measurement: the member may still rejoin; the next run waits for it
                        log("pgbox start on m" + leader + " failed (" + start.all().strip().replace('\n', ' ') + ")");
                    }
                }
                for (int r = 1; r <= otherRuns; r++) {
                    JsonNode s = c.awaitSettled("whole");
                    int leader = HaCluster.leaderIndex(s);
                    long at = System.currentTimeMillis();
                    c.switchover(leader, HaCluster.syncIndex(s));
                    AckWriter.Ack first = firstAckElsewhere(c, leader, at);
                    result("switchover", name, at, first, lost(c, first));
                }
                for (int r = 1; r <= otherRuns; r++) {
                    int leader = HaCluster.leaderIndex(c.awaitSettled("whole"));
                    long at = System.currentTimeMillis();
                    ha.net().cut(leader);
                    AckWriter.Ack first = firstAckElsewhere(c, leader, at);
                    result("partition", name, at, first, lost(c, first));
                    ha.net().heal(leader);
                }
                c.awaitWhole("whole at the end", 0);
                done = true;
            } finally {
                if (!done) {
                    ha.printLogs();
                }
            }
        }
    }

    /**
     * Follows the ack file (every 20 ms, reading only what was appended) for the first acknowledgement
     * after {@code at} by a member other than {@code old}.
     */
    private static AckWriter.Ack firstAckElsewhere(HaCluster c, int old, long at) throws java.io.IOException {
        String oldAddress = c.hosts().member(old).address();
        long deadline = System.nanoTime() + HaCluster.WAIT.toNanos();
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(c.ackFile().toFile(), "r")) {
            // start a little before the end: the lines written since 'at' are after this point
            long offset = Math.max(0, f.length() - 4096);
            StringBuilder partial = new StringBuilder();
            while (System.nanoTime() < deadline) {
                long length = f.length();
                if (length > offset) {
                    byte[] buf = new byte[(int) (length - offset)];
                    f.seek(offset);
                    f.readFully(buf);
                    offset = length;
                    partial.append(new String(buf, java.nio.charset.StandardCharsets.UTF_8));
                    int nl;
                    while ((nl = partial.indexOf("\n")) >= 0) {
                        String[] w = partial.substring(0, nl).strip().split(" ");
                        partial.delete(0, nl + 1);
                        if (w.length == 3 && w[0].matches("\\d+") && w[1].matches("\\d+")) {
                            AckWriter.Ack a = new AckWriter.Ack(Long.parseLong(w[0]), Long.parseLong(w[1]), w[2]);
                            if (a.atMillis() > at && !a.server().equals(oldAddress)) {
                                return a;
                            }
                        }
                    }
                }
                NetHosts.sleep(20);
            }
        }
        throw new AssertionError("no acknowledged write on another member within " + HaCluster.WAIT.toSeconds() + " s");
    }

    /** Acknowledged ids missing on the member that acknowledged {@code first} (the new leader). */
    private static String lost(HaCluster c, AckWriter.Ack first) {
        int leader = c.hosts().members().stream().filter(m -> m.address().equals(first.server())).findFirst().orElseThrow().index();
        String line = c.checkAcked(leader).output().strip();
        int i = line.indexOf("missing=");
        return i < 0 ? "?(" + line + ")" : line.substring(i + "missing=".length()).split("\\s")[0];
    }

    private static void result(String kind, String profile, long at, AckWriter.Ack first, String lost) {
        System.out.println(String.format(Locale.ROOT, "RESULT %s %s %.2f lost=%s", kind, profile, (first.atMillis() - at) / 1000.0, lost));
        System.out.flush();
    }

    private static void log(String what) {
        System.out.println("# " + what);
        System.out.flush();
    }
}
