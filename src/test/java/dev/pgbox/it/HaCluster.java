package dev.pgbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * A pgbox HA cluster on {@link HaHosts}: member 0 made the first member ('pgbox ha init'), the others
 * joined ('pgbox ha join'), each with its own etcd member; a writer ({@link AckWriter}) on the client
 * host and a {@link WritableProbe} inside each member's host; and the questions the failover test and
 * bench ask: who leads, is the cluster whole again, was every acknowledged id kept, did two members
 * ever take writes at once. Used by FailoverIT and FailoverBench.
 */
final class HaCluster {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Generous limits for a slow shared machine: waits, never timing assertions. */
    static final Duration WAIT = Duration.ofSeconds(180);

    private final HaHosts ha;
    private final int size;

    HaCluster(HaHosts ha) {
        this.ha = ha;
        this.size = ha.members().size();
    }

    HaHosts hosts() {
        return ha;
    }

    int size() {
        return size;
    }

    /**
     * Member 0 started as a plain project with the test tables, handed to Patroni ('ha init'); every other
     * member joins from a fresh folder with the HA secrets of member 0; returns once all are running.
     */
    void build() {
        ha.ok(0, "start");
        ha.ok(0, "db", "query", "CREATE TABLE acked (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT now()); "
                + "CREATE TABLE probe (member text NOT NULL, at timestamptz NOT NULL DEFAULT now())");
        ha.ok(0, "ha", "init", "--cluster", HaHosts.CLUSTER, "--member", "m0");
        for (int i = 1; i < size; i++) {
            List<String> etcd = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                etcd.add("http://" + ha.member(j).address() + ":" + ha.etcdClientPort());
            }
            String[] join = {"ha", "join", "--cluster", HaHosts.CLUSTER, "--etcd", String.join(",", etcd), "--member", ha.member(i).name(),
                    "--secrets-from", secrets().toString()};
            HaHosts.Run r = ha.pgbox(i, join);
            if (!r.ok()) {
                throw new AssertionError("pgbox ha join on m" + i + ": " + r + "\n" + HaHosts.tail(ha.member(i).log("patroni"), 40));
            }
        }
        awaitWhole("all " + size + " members running", 0);
    }

    /** Member 0's .env.secrets: the app's password for the test's clients (the same on every member after join). */
    Path secrets() {
        return ha.member(0).dir().resolve(".env.secrets");
    }

    Path ackFile() {
        return ha.logs().resolve("acks.txt");
    }

    Path probeLog(int i) {
        return ha.logs().resolve("probe-m" + i + ".txt");
    }

    List<Path> probeLogs() {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            out.add(probeLog(i));
        }
        return out;
    }

    /** The writer on the client host, through a multi-host URL of every member's address; pauses between writes. */
    long startWriter(long pauseMillis) {
        List<String> addresses = ha.members().stream().map(HaHosts.Member::address).toList();
        return ha.startJava(ha.client(), ha.logs().resolve("writer.log"), AckWriter.class, ackFile().toString(), secrets().toString(),
                String.valueOf(ha.pgPort()), String.join(",", addresses), String.valueOf(pauseMillis));
    }

    /** A probe inside member i's host, asking that member only. */
    long startProbe(int i) {
        HaHosts.Member m = ha.member(i);
        return ha.startJava(m.host(), ha.logs().resolve("probe-m" + i + ".out"), WritableProbe.class, probeLog(i).toString(),
                secrets().toString(), String.valueOf(ha.pgPort()), m.address(), m.name());
    }

    // ---------------------------------------------------------------- what the members say

    /** 'pgbox ha status --json' inside member i's host; null when it lists no members. */
    JsonNode status(int i) {
        HaHosts.Run r = ha.pgbox(i, "ha", "status", "--json");
        try {
            JsonNode j = JSON.readTree(r.stdout());
            return j.path("members").isArray() && !j.path("members").isEmpty() ? j : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Polls 'ha status' on member {@code from} until {@code condition} holds; the status that did. */
    JsonNode awaitStatus(String what, int from, Predicate<JsonNode> condition) {
        JsonNode[] last = new JsonNode[1];
        NetHosts.await(what + " (asked on m" + from + ")", WAIT, () -> {
            last[0] = status(from);
            return last[0] != null && condition.test(last[0]) ? new NetHosts.Result(0, last[0].toString(), false)
                    : new NetHosts.Result(1, String.valueOf(last[0]), false);
        });
        return last[0];
    }

    /**
     * Whole again: every member listed, one leader running, one synchronous standby, every other member
     * a replica streaming on the leader's timeline.
     */
    boolean whole(JsonNode status) {
        JsonNode leader = leaderOf(status);
        if (leader.isMissingNode() || !leader.path("state").asText().equals("running") || status.path("members").size() != size) {
            return false;
        }
        int sync = 0;
        for (JsonNode m : status.path("members")) {
            if (m == leader) {
                continue;
            }
            if (!m.path("state").asText().equals("streaming") || m.path("timeline").asInt() != leader.path("timeline").asInt()) {
                return false;
            }
            sync += m.path("role").asText().equals("sync_standby") || m.path("sync_standby").asBoolean() ? 1 : 0;
        }
        return size == 1 || sync == 1;
    }

    JsonNode awaitWhole(String what, int from) {
        return awaitStatus(what, from, this::whole);
    }

    /**
     * Whole, and the member 'ha status' names as leader is the one that acknowledged the writer's latest
     * write, within the last 3 s: a member that was just cut off and healed may still show the cluster
     * as it was before (its etcd member catching up), so its word alone does not say who leads now.
     */
    JsonNode awaitSettled(String what) {
        return awaitStatus(what, 0, j -> {
            int l = leaderIndex(j);
            Optional<AckWriter.Ack> last = lastAck();
            return whole(j) && l >= 0 && last.isPresent() && last.get().server().equals(ha.member(l).address())
                    && last.get().atMillis() > System.currentTimeMillis() - 3000;
        });
    }

    /** The writer's latest acknowledgement (read from the end of the ack file). */
    Optional<AckWriter.Ack> lastAck() {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(ackFile().toFile(), "r")) {
            long from = Math.max(0, f.length() - 2048);
            byte[] buf = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(buf);
            List<String> lines = new String(buf, java.nio.charset.StandardCharsets.UTF_8).lines().toList();
            // the first line may be cut and the last one still being written: take the last whole one
            for (int i = lines.size() - 1; i >= 1; i--) {
                String[] w = lines.get(i).strip().split(" ");
                if (w.length == 3 && w[0].matches("\\d+") && w[1].matches("\\d{13}") && w[2].chars().filter(ch -> ch == '.').count() == 3) {
                    return Optional.of(new AckWriter.Ack(Long.parseLong(w[0]), Long.parseLong(w[1]), w[2]));
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static JsonNode member(JsonNode status, String name) {
        for (JsonNode m : status.path("members")) {
            if (m.path("name").asText().equals(name)) {
                return m;
            }
        }
        return JSON.missingNode();
    }

    static JsonNode leaderOf(JsonNode status) {
        for (JsonNode m : status.path("members")) {
            if (m.path("role").asText().equals("leader")) {
                return m;
            }
        }
        return JSON.missingNode();
    }

    /** The leader's index (mN), or -1. */
    static int leaderIndex(JsonNode status) {
        JsonNode l = leaderOf(status);
        return l.isMissingNode() ? -1 : Integer.parseInt(l.path("name").asText().substring(1));
    }

    /** A member other than {@code not} (the first one after it). */
    int other(int not) {
        return (not + 1) % size;
    }

    /** The synchronous standby's index, or -1. */
    static int syncIndex(JsonNode status) {
        for (JsonNode m : status.path("members")) {
            if (m.path("role").asText().equals("sync_standby") || m.path("sync_standby").asBoolean()) {
                return Integer.parseInt(m.path("name").asText().substring(1));
            }
        }
        return -1;
    }

    /** Starts pgbox (etcd, Patroni) on these members at once: a lone etcd member waits for a quorum that the others bring. */
    void startTogether(List<Integer> members) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(members.size());
        try {
            List<Future<HaHosts.Run>> runs = new ArrayList<>();
            for (int i : members) {
                runs.add(pool.submit(() -> ha.ok(i, "start")));
            }
            for (Future<HaHosts.Run> f : runs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A planned switchover from {@code leader} to {@code candidate}: 'pgbox ha switchover' when this pgbox has it, else patronictl. */
    HaHosts.Run switchover(int leader, int candidate) {
        if (ha.pgbox(leader, "ha", "--help").all().contains("switchover")) {
            return ha.ok(leader, "ha", "switchover", "--to", ha.member(candidate).name(), "--yes");
        }
        Path conf = ha.member(leader).dir().resolve(".pgbox/patroni/patroni.yml");
        NetHosts.Result r = ha.member(leader).host().execAs("postgres", List.of("/usr/local/lib/pgbox/bin/patronictl", "-c", conf.toString(),
                "switchover", "--leader", ha.member(leader).name(), "--candidate", ha.member(candidate).name(), "--force", HaHosts.CLUSTER),
                Duration.ofMinutes(2));
        if (!r.ok()) {
            throw new AssertionError("patronictl switchover: " + r);
        }
        return new HaHosts.Run(0, r.output(), "");
    }

    // ---------------------------------------------------------------- the writer's acknowledgements

    List<AckWriter.Ack> acks() {
        try {
            return AckWriter.read(ackFile());
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The first acknowledgement after {@code sinceMillis} by member i. */
    Optional<AckWriter.Ack> firstAck(long sinceMillis, int i) {
        String server = ha.member(i).address();
        return acks().stream().filter(a -> a.atMillis() > sinceMillis && a.server().equals(server)).findFirst();
    }

    /** Waits until the writer has an acknowledgement after {@code sinceMillis} by member i; returns it. */
    AckWriter.Ack awaitAck(String what, long sinceMillis, int i) {
        NetHosts.await(what + " (acknowledged by m" + i + ")", WAIT, () -> new NetHosts.Result(firstAck(sinceMillis, i).isPresent() ? 0 : 1,
                HaHosts.tail(ha.logs().resolve("writer.log"), 5), false));
        return firstAck(sinceMillis, i).orElseThrow();
    }

    /** Every id the writer had acknowledged when asked is in member i's table (a standby given time to replay); the checker's line. */
    String awaitAllAckedOn(int i) {
        return NetHosts.await("every acknowledged id on m" + i, WAIT, () -> ha.runJava(ha.client(), Duration.ofSeconds(60), AckCheck.class,
                ackFile().toString(), secrets().toString(), String.valueOf(ha.pgPort()), ha.member(i).address())).output().strip();
    }

    /** The checker's verdict on member i once: exit 0 when nothing is missing. */
    NetHosts.Result checkAcked(int i) {
        return ha.runJava(ha.client(), Duration.ofSeconds(60), AckCheck.class, ackFile().toString(), secrets().toString(),
                String.valueOf(ha.pgPort()), ha.member(i).address());
    }

    // ---------------------------------------------------------------- the probes

    List<WritableProbe.Sample> samples() {
        try {
            return WritableProbe.read(probeLogs());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Two writable samples of different members whose intervals overlap (each interval holds a moment the
     * member committed): a possible moment with two primaries. Empty when there was none.
     */
    Optional<String> overlappingWrites() {
        List<WritableProbe.Sample> w = samples().stream().filter(WritableProbe.Sample::writable)
                .sorted(java.util.Comparator.comparingLong(WritableProbe.Sample::start)).toList();
        // sorted by start: an overlap with any earlier sample shows against the furthest-reaching earlier one of another member
        java.util.Map<String, Long> lastEnd = new java.util.HashMap<>();
        for (WritableProbe.Sample s : w) {
            for (var e : lastEnd.entrySet()) {
                if (!e.getKey().equals(s.member()) && e.getValue() >= s.start()) {
                    return Optional.of(s.member() + " committed in [" + s.start() + ", " + s.end() + "] while " + e.getKey()
                            + " had committed up to " + e.getValue());
                }
            }
            lastEnd.merge(s.member(), s.end(), Math::max);
        }
        return Optional.empty();
    }

    /** The last writable sample of member i after {@code since}, or empty. */
    Optional<WritableProbe.Sample> lastWrite(int i, long since) {
        return samples().stream().filter(s -> s.writable() && s.member().equals(ha.member(i).name()) && s.start() >= since)
                .reduce((a, b) -> a.end() >= b.end() ? a : b);
    }

    /** The first writable sample of member i after {@code since}, or empty. */
    Optional<WritableProbe.Sample> firstWrite(int i, long since) {
        return samples().stream().filter(s -> s.writable() && s.member().equals(ha.member(i).name()) && s.start() >= since)
                .reduce((a, b) -> a.start() <= b.start() ? a : b);
    }

    /** Member i's probe samples that began after {@code since}. */
    List<WritableProbe.Sample> samplesOf(int i, long since) {
        return samples().stream().filter(s -> s.member().equals(ha.member(i).name()) && s.start() >= since).toList();
    }
}
