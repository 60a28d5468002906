package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The namespace harness the failover tests stand on: three hosts reach each other by address, nothing of
 * the root namespace is reachable from inside, a cut host is unreachable while the others still talk, a
 * healed one is back, and close() leaves no namespace, link or process behind.
 */
@Timeout(300)
class NetHostsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PYTHON = "/usr/bin/python3";

    @BeforeAll
    static void needsRootAndNetns() {
        NetHosts.assumeAvailable();
    }

    @Test
    void hostsTalkOnlyToEachOtherAndACutHostIsAloneUntilHealed() throws Exception {
        Path work = Files.createTempDirectory("pgbx-nethosts-");
        List<Long> pids = new ArrayList<>();
        long stray;
        String namespaces;
        String links;
        long rootListener = -1;
        int port = 20000 + new java.security.SecureRandom().nextInt(30000);
        NetHosts net = NetHosts.create(3);
        try {
            namespaces = net.namespacePrefix();
            links = net.linkPrefix();
            assertThat(NetHosts.run(List.of(NetHosts.IP, "netns", "list"), WAIT).output()).contains(namespaces + "0", namespaces + "2");
            // the bridge has no address of its own, not even IPv6 link-local: the root is not on this network
            assertThat(NetHosts.run(List.of(NetHosts.IP, "-o", "addr", "show", "dev", net.bridgeName()), WAIT).output()).isBlank();

            for (int i = 0; i < 3; i++) {
                NetHosts.Host h = net.host(i);
                assertThat(h.address()).startsWith(net.subnet() + ".");
                pids.add(h.start(List.of(PYTHON, "-m", "http.server", String.valueOf(port), "--bind", h.address(),
                        "--directory", work.toString()), work.resolve("http-" + i + ".log")));
            }
            for (int i = 0; i < 3; i++) {
                NetHosts.Host h = net.host(i);
                NetHosts.await(h + " listening", WAIT, () -> NetHosts.tcpConnect(h, h.address(), port));
            }
            for (int from = 0; from < 3; from++) {
                for (int to = 0; to < 3; to++) {
                    NetHosts.Host target = net.host(to);
                    assertThat(NetHosts.tcpConnect(net.host(from), target.address(), port).ok()).as("%s -> %s", net.host(from), target)
                            .isTrue();
                }
            }

            // as another OS user, and from a JVM of our own class path, as a writer on a host would run
            NetHosts.Result asPostgres = net.host(0).execAs("postgres", List.of("/usr/bin/id", "-un"), WAIT);
            assertThat(asPostgres.output().strip()).as("%s", asPostgres).isEqualTo("postgres");
            NetHosts.Result postgresConnect = net.host(0).execAs("postgres", List.of("/usr/bin/timeout", "5", "/bin/bash", "-c",
                    ": > \"/dev/tcp/$0/$1\"", net.host(1).address(), String.valueOf(port)), WAIT);
            assertThat(postgresConnect.ok()).as("%s", postgresConnect).isTrue();
            NetHosts.Result java = net.host(2).exec(NetHosts.javaArgv(TcpProbe.class, net.host(0).address(), String.valueOf(port)), WAIT);
            assertThat(java.output().strip()).as("%s", java).isEqualTo("connected to " + net.host(0).address());

            // a listener on every address of the root namespace: reachable from the root, from no host
            List<String> rootAddresses = rootAddresses();
            int rootPort = PgboxProject.freePort();
            boolean ipv6 = rootAddresses.stream().anyMatch(a -> a.contains(":"));
            Process root = new ProcessBuilder(PYTHON, "-m", "http.server", String.valueOf(rootPort), "--bind", ipv6 ? "::" : "0.0.0.0",
                    "--directory", work.toString()).redirectErrorStream(true).redirectOutput(work.resolve("http-root.log").toFile()).start();
            rootListener = root.pid();
            NetHosts.await("root listener on " + rootPort, WAIT, () -> NetHosts.tcpConnectFromRoot("127.0.0.1", rootPort));
            for (String a : rootAddresses) {
                assertThat(NetHosts.tcpConnectFromRoot(a, rootPort).ok()).as("from the root to %s:%d", a, rootPort).isTrue();
                for (int i = 0; i < 3; i++) {
                    NetHosts.Result r = NetHosts.tcpConnect(net.host(i), a, rootPort);
                    assertThat(r.ok()).as("%s reached the root's %s:%d: %s", net.host(i), a, rootPort, r).isFalse();
                }
            }

            net.cut(1);
            String one = net.host(1).address();
            assertThat(NetHosts.tcpConnect(net.host(0), one, port).ok()).as("0 -> cut 1").isFalse();
            assertThat(NetHosts.tcpConnect(net.host(2), one, port).ok()).as("2 -> cut 1").isFalse();
            assertThat(NetHosts.tcpConnect(net.host(1), net.host(0).address(), port).ok()).as("cut 1 -> 0").isFalse();
            assertThat(NetHosts.tcpConnect(net.host(0), net.host(2).address(), port).ok()).as("0 -> 2 while 1 is cut").isTrue();
            assertThat(NetHosts.tcpConnect(net.host(2), net.host(0).address(), port).ok()).as("2 -> 0 while 1 is cut").isTrue();
            // the cut host itself still runs and serves on its own address
            assertThat(NetHosts.tcpConnect(net.host(1), one, port).ok()).as("1 -> itself while cut").isTrue();

            net.heal(1);
            NetHosts.await("0 -> healed 1", WAIT, () -> NetHosts.tcpConnect(net.host(0), one, port));
            NetHosts.await("2 -> healed 1", WAIT, () -> NetHosts.tcpConnect(net.host(2), one, port));
            NetHosts.await("healed 1 -> 0", WAIT, () -> NetHosts.tcpConnect(net.host(1), net.host(0).address(), port));

            // node loss: everything on host 1 dies, its neighbours are unharmed
            net.host(1).killAll();
            assertThat(ProcessHandle.of(pids.get(1)).map(ProcessHandle::isAlive).orElse(false)).as("host 1's listener").isFalse();
            assertThat(NetHosts.tcpConnect(net.host(0), one, port).ok()).as("0 -> 1 after its processes died").isFalse();
            assertThat(ProcessHandle.of(pids.get(0)).map(ProcessHandle::isAlive)).as("host 0's listener").contains(true);

            // a daemon that left our process tree (as a postmaster does): only the namespace sweep finds it
            NetHosts.Result bg = net.host(2).exec(List.of("/bin/bash", "-c", "sleep 600 </dev/null >/dev/null 2>&1 & echo $!"), WAIT);
            assertThat(bg.ok()).as("%s", bg).isTrue();
            stray = Long.parseLong(bg.output().strip());
            assertThat(ProcessHandle.of(stray).map(ProcessHandle::isAlive)).contains(true);
        } finally {
            try {
                if (rootListener > 0) {
                    NetHosts.killTree(rootListener);
                }
                net.close();
            } finally {
                deleteTree(work);
            }
        }
        net.close(); // a second close is a no-op

        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("listener %d after close", pid).isFalse();
        }
        assertThat(ProcessHandle.of(stray).map(ProcessHandle::isAlive).orElse(false)).as("stray sleep %d after close", stray).isFalse();
        assertThat(NetHosts.run(List.of(NetHosts.IP, "netns", "list"), WAIT).output()).doesNotContain(namespaces);
        NetHosts.Result linkList = NetHosts.run(List.of(NetHosts.IP, "-o", "link", "show"), WAIT);
        assertThat(linkList.ok()).isTrue();
        assertThat(linkList.output()).doesNotContain(links);
    }

    /** A JVM started inside a host: connects once to args[0]:args[1] and says so. */
    static final class TcpProbe {
        private TcpProbe() {
        }

        public static void main(String[] args) throws java.io.IOException {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(args[0], Integer.parseInt(args[1])), 5000);
                System.out.println("connected to " + s.getInetAddress().getHostAddress());
            }
        }
    }

    /** Every address of the root namespace but IPv6 link-local ones (those need a scope to be dialled). */
    private static List<String> rootAddresses() {
        NetHosts.Result r = NetHosts.run(List.of(NetHosts.IP, "-o", "addr", "show"), WAIT);
        assertThat(r.ok()).as("%s", r).isTrue();
        List<String> found = new ArrayList<>();
        for (String line : r.output().lines().toList()) {
            String[] w = line.strip().split("\\s+");
            for (int i = 0; i + 1 < w.length; i++) {
                boolean link = line.contains(" scope link");
                if ((w[i].equals("inet") || w[i].equals("inet6") && !link)) {
                    found.add(w[i + 1].substring(0, w[i + 1].indexOf('/')));
                }
            }
        }
        assertThat(found).contains("127.0.0.1");
        return found;
    }

    static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
