package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A three-member etcd cluster (Debian's etcd-server) with one member per network namespace, as the HA
 * layout puts them on three hosts: it forms, replicates a write, survives its leader's cable being pulled
 * (the two left elect a leader and take writes, the cut one takes none), and the healed member catches up.
 * Ports are random, never etcd's default 2379/2380. When it fails, the end of each member's log is printed.
 */
@Timeout(300)
class EtcdClusterIT {
    private static final String ETCD = "/usr/bin/etcd";
    private static final String ETCDCTL = "/usr/bin/etcdctl";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Duration CALL = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void needsRootAndNetns() {
        NetHosts.assumeAvailable();
    }

    @Test
    void threeMembersOnThreeHostsSurviveTheLeadersCableBeingPulled() throws Exception {
        assertThat(Path.of(ETCD)).as("etcd is missing: apt-get install etcd-server etcd-client").isExecutable();
        assertThat(Path.of(ETCDCTL)).as("etcdctl is missing: apt-get install etcd-client").isExecutable();
        Path work = Files.createTempDirectory(Path.of("/tmp"), "pgbx-etcd-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        int clientPort = 20000 + new SecureRandom().nextInt(20000) * 2;
        int peerPort = clientPort + 1;
        boolean passed = false;
        try (NetHosts net = NetHosts.create(3)) {
            String initialCluster = IntStream.range(0, 3)
                    .mapToObj(i -> "m" + i + "=http://" + net.host(i).address() + ":" + peerPort).collect(Collectors.joining(","));
            for (int i = 0; i < 3; i++) {
                NetHosts.Host h = net.host(i);
                Path data = Files.createDirectory(work.resolve("m" + i),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                h.start(List.of(ETCD, "--name", "m" + i, "--data-dir", data.toString(),
                        "--listen-client-urls", "http://" + h.address() + ":" + clientPort,
                        "--advertise-client-urls", "http://" + h.address() + ":" + clientPort,
                        "--listen-peer-urls", "http://" + h.address() + ":" + peerPort,
                        "--initial-advertise-peer-urls", "http://" + h.address() + ":" + peerPort,
                        "--initial-cluster", initialCluster, "--initial-cluster-state", "new",
                        "--initial-cluster-token", net.namespacePrefix() + "etcd"), work.resolve("m" + i + ".log"));
            }
            List<String> endpoints = IntStream.range(0, 3).mapToObj(i -> "http://" + net.host(i).address() + ":" + clientPort).toList();
            String all = String.join(",", endpoints);

            NetHosts.await("all three members healthy", WAIT, () -> ctl(net.host(0), all, "endpoint", "health"));
            NetHosts.Result members = ctl(net.host(0), endpoints.get(0), "member", "list");
            assertThat(members.ok()).as("%s", members).isTrue();
            assertThat(members.output().lines().filter(l -> l.contains(", started, ")).count()).as("%s", members).isEqualTo(3);

            assertThat(ctl(net.host(0), endpoints.get(0), "put", "/pgbx/before", "one").ok()).isTrue();
            assertThat(ctl(net.host(2), endpoints.get(2), "get", "/pgbx/before", "--print-value-only").output().strip()).isEqualTo("one");

            String oldLeaderId = leaderId(net.host(0), all);
            int cut = memberIndex(net.host(0), all, endpoints, oldLeaderId);
            List<Integer> rest = IntStream.range(0, 3).filter(i -> i != cut).boxed().toList();
            net.cut(cut);

            // the two left elect a leader among themselves and take a write
            NetHosts.Host a = net.host(rest.get(0));
            NetHosts.Host b = net.host(rest.get(1));
            NetHosts.await("a write through " + a + " with " + net.host(cut) + " cut", WAIT,
                    () -> ctl(a, endpoints.get(rest.get(0)), "put", "/pgbx/during-cut", "two"));
            String twoEndpoints = endpoints.get(rest.get(0)) + "," + endpoints.get(rest.get(1));
            String newLeaderId = leaderId(a, twoEndpoints);
            assertThat(newLeaderId).as("leader while the old one (%s) is cut", oldLeaderId).isNotEqualTo(oldLeaderId);
            assertThat(memberIndex(a, twoEndpoints, endpoints, newLeaderId)).isIn(rest);
            assertThat(ctl(b, endpoints.get(rest.get(1)), "get", "/pgbx/during-cut", "--print-value-only").output().strip())
                    .isEqualTo("two");
            // the cut member has no quorum: it commits nothing and serves no linearizable read
            NetHosts.Result isolatedPut = ctl(net.host(cut), endpoints.get(cut), "put", "/pgbx/isolated", "x");
            assertThat(isolatedPut.ok()).as("a write through the cut member: %s", isolatedPut).isFalse();
            NetHosts.Result isolatedGet = ctl(net.host(cut), endpoints.get(cut), "get", "/pgbx/during-cut");
            assertThat(isolatedGet.ok()).as("a linearizable read through the cut member: %s", isolatedGet).isFalse();

            net.heal(cut);
            // a serializable read answers from the member's own copy: "two" there means it caught up
            NetHosts.Host healed = net.host(cut);
            NetHosts.await(healed + " has the write made while it was cut", WAIT, () -> {
                NetHosts.Result r = ctl(healed, endpoints.get(cut), "get", "/pgbx/during-cut", "--consistency=s", "--print-value-only");
                return r.ok() && r.output().strip().equals("two") ? r : new NetHosts.Result(1, r.output(), r.timedOut());
            });
            NetHosts.await("all three members healthy after the heal", WAIT, () -> ctl(net.host(0), all, "endpoint", "health"));
            assertThat(ctl(healed, endpoints.get(cut), "put", "/pgbx/after", "three").ok()).isTrue();
            assertThat(ctl(net.host(rest.get(0)), endpoints.get(rest.get(0)), "get", "/pgbx/after", "--print-value-only").output().strip())
                    .isEqualTo("three");
            passed = true;
        } finally {
            if (!passed) {
                printLogTails(work);
            }
            NetHostsIT.deleteTree(work);
        }
    }

    /** On failure, the end of each member's log goes to the test's output before the folder is deleted. */
    private static void printLogTails(Path work) {
        for (int i = 0; i < 3; i++) {
            Path log = work.resolve("m" + i + ".log");
            try {
                List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
                System.err.println("--- etcd m" + i + " log, last lines ---");
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.err::println);
            } catch (java.io.IOException e) {
                System.err.println("cannot read " + log + ": " + e.getMessage());
            }
        }
    }

    /** etcdctl (API v3) inside {@code from}, against {@code endpoints}, with short timeouts so a cut fails fast. */
    private static NetHosts.Result ctl(NetHosts.Host from, String endpoints, String... args) {
        List<String> argv = new ArrayList<>(List.of("/usr/bin/env", "ETCDCTL_API=3", ETCDCTL, "--endpoints=" + endpoints,
                "--dial-timeout=2s", "--command-timeout=4s"));
        argv.addAll(List.of(args));
        return from.exec(argv, CALL);
    }

    /** The member id every given endpoint names as leader (they must agree). */
    private static String leaderId(NetHosts.Host from, String endpoints) throws Exception {
        JsonNode status = status(from, endpoints);
        List<String> leaders = new ArrayList<>();
        status.forEach(s -> leaders.add(s.path("Status").path("leader").asText()));
        assertThat(leaders).as("%s", status).isNotEmpty().allMatch(l -> l.equals(leaders.get(0)) && !l.equals("0"));
        return leaders.get(0);
    }

    /** Which host runs the member with this id: its endpoint's place in {@code allEndpoints}. */
    private static int memberIndex(NetHosts.Host from, String asked, List<String> allEndpoints, String memberId) throws Exception {
        JsonNode status = status(from, asked);
        for (JsonNode s : status) {
            if (s.path("Status").path("header").path("member_id").asText().equals(memberId)) {
                return allEndpoints.indexOf(s.path("Endpoint").asText());
            }
        }
        throw new AssertionError("no endpoint of " + asked + " is member " + memberId + ": " + status);
    }

    private static JsonNode status(NetHosts.Host from, String endpoints) throws Exception {
        NetHosts.Result r = NetHosts.await("endpoint status from " + from, WAIT, () -> ctl(from, endpoints, "endpoint", "status", "-w", "json"));
        return JSON.readTree(r.output());
    }
}
