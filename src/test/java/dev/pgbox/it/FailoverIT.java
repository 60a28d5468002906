package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real failovers of pgbox HA members, each member (PostgreSQL, Patroni and its own etcd member) on its
 * own network namespace, the way separate hosts run them. A writer on a client host records every
 * acknowledged id; probes inside every member's host record when it takes writes.
 */
@Timeout(900)
class FailoverIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Generous limits for a slow shared machine: waits, never timing assertions. */
    private static final Duration WAIT = Duration.ofSeconds(150);

    private HaHosts ha;
    private boolean passed;

    @AfterEach
    void cleanUp() {
        if (ha != null) {
            if (!passed) {
                ha.printLogs();
            }
            ha.close();
        }
    }

    /** kill -9 of the primary's postmaster: Patroni starts it again in place; the lease stays, nothing is lost. */
    @Test
    void patroniRestartsAKilledPostmasterInPlace() throws Exception {
        ha = HaHosts.create(1);
        firstMember();
        long writer = startWriter(0);
        startProbe(0);
        awaitAcks("the writer's first acknowledged writes", 0, ha.member(0).address());

        JsonNode before = status(0);
        long postmaster = ha.postmasterPid(0).orElseThrow();
        long patroni = ha.pid(0, "patroni").orElseThrow();
        int timeline = leaderOf(before).path("timeline").asInt();
        NetHosts.killTree(postmaster); // the postmaster and its children at once: a crash, not a shutdown
        long killedAt = System.currentTimeMillis();

        awaitStatus("Patroni started a new postmaster on m0, still the leader", 0,
                j -> ha.postmasterPid(0).filter(p -> p != postmaster).isPresent() && isLeader(j, "m0") && running(j, "m0"));
        awaitAcks("acknowledged writes after the crash", killedAt, ha.member(0).address());
        JsonNode after = status(0);
        assertThat(ha.pid(0, "patroni")).as("the same Patroni process").contains(patroni);
        assertThat(leaderOf(after).path("timeline").asInt()).as("no promotion: the timeline stays").isEqualTo(timeline);
        assertAllAckedOn(0);
        assertThat(ProcessHandle.of(writer).map(ProcessHandle::isAlive).orElse(false)).as("the writer kept running").isTrue();
        passed = true;
    }

    // ---------------------------------------------------------------- cluster set-up

    /** Member 0: started as a plain project, the test tables made, then handed to Patroni as the first member. */
    private void firstMember() {
        ha.ok(0, "start");
        ha.ok(0, "db", "query", "CREATE TABLE acked (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT now()); "
                + "CREATE TABLE probe (member text NOT NULL, at timestamptz NOT NULL DEFAULT now())");
        ha.ok(0, "ha", "init", "--cluster", HaHosts.CLUSTER, "--member", "m0");
    }

    private Path secrets() {
        return ha.member(0).dir().resolve(".env.secrets");
    }

    private Path ackFile() {
        return ha.logs().resolve("acks.txt");
    }

    /** The writer on the client host, through a multi-host URL of every member's address. */
    private long startWriter(int members) {
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i <= members; i++) {
            addresses.add(ha.member(i).address());
        }
        return ha.startJava(ha.client(), ha.logs().resolve("writer.log"), AckWriter.class, ackFile().toString(), secrets().toString(),
                String.valueOf(ha.pgPort()), String.join(",", addresses));
    }

    /** A probe inside member i's host, asking that member only. */
    private long startProbe(int i) {
        HaHosts.Member m = ha.member(i);
        return ha.startJava(m.host(), ha.logs().resolve("probe-m" + i + ".out"), WritableProbe.class, probeLog(i).toString(), secrets().toString(),
                String.valueOf(ha.pgPort()), m.address(), m.name());
    }

    private Path probeLog(int i) {
        return ha.logs().resolve("probe-m" + i + ".txt");
    }

    // ---------------------------------------------------------------- what the members say

    /** 'pgbox ha status --json' inside member i's host; null when it gives no member list. */
    private JsonNode status(int i) {
        HaHosts.Run r = ha.pgbox(i, "ha", "status", "--json");
        try {
            JsonNode j = JSON.readTree(r.stdout());
            return j.path("members").isArray() && !j.path("members").isEmpty() ? j : null;
        } catch (Exception e) {
            return null;
        }
    }

    private JsonNode awaitStatus(String what, int from, Predicate<JsonNode> condition) {
        JsonNode[] last = new JsonNode[1];
        NetHosts.await(what, WAIT, () -> {
            last[0] = status(from);
            return last[0] != null && condition.test(last[0]) ? new NetHosts.Result(0, last[0].toString(), false)
                    : new NetHosts.Result(1, String.valueOf(last[0]), false);
        });
        return last[0];
    }

    private static JsonNode member(JsonNode status, String name) {
        for (JsonNode m : status.path("members")) {
            if (m.path("name").asText().equals(name)) {
                return m;
            }
        }
        return JSON.missingNode();
    }

    private static JsonNode leaderOf(JsonNode status) {
        for (JsonNode m : status.path("members")) {
            if (m.path("role").asText().equals("leader")) {
                return m;
            }
        }
        return JSON.missingNode();
    }

    private static boolean isLeader(JsonNode status, String name) {
        return member(status, name).path("role").asText().equals("leader");
    }

    private static boolean running(JsonNode status, String name) {
        return member(status, name).path("state").asText().equals("running");
    }

    // ---------------------------------------------------------------- the writer's acknowledgements

    /** Waits until the writer has an acknowledgement after {@code sinceMillis} from {@code server}. */
    private void awaitAcks(String what, long sinceMillis, String server) {
        NetHosts.await(what + " (from " + server + ")", WAIT, () -> {
            try {
                boolean seen = AckWriter.read(ackFile()).stream().anyMatch(a -> a.atMillis() > sinceMillis && a.server().equals(server));
                return new NetHosts.Result(seen ? 0 : 1, HaHosts.tail(ha.logs().resolve("writer.log"), 5), false);
            } catch (java.io.IOException e) {
                return new NetHosts.Result(1, e.toString(), false);
            }
        });
    }

    /** Every id the writer had acknowledged so far is in member i's table (a standby given time to replay). */
    private void assertAllAckedOn(int i) {
        NetHosts.await("every acknowledged id on " + ha.member(i).name(), WAIT, () -> ha.runJava(ha.client(), Duration.ofSeconds(60),
                AckCheck.class, ackFile().toString(), secrets().toString(), String.valueOf(ha.pgPort()), ha.member(i).address()));
    }
}
