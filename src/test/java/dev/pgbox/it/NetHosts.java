package dev.pgbox.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Separate "hosts" on one machine for failover tests: each host is a network namespace with its own
 * address on a private /24, joined by a veth pair to a private Linux bridge in the root namespace. The
 * bridge has no address and no host has a default route, so traffic flows only between the namespaces
 * made here: nothing in the root namespace (its loopback, its real interfaces) is reachable from inside.
 * {@link #cut(int)} sets the bridge side of a host's veth down, like a pulled cable, and {@link #heal(int)}
 * plugs it back; {@link Host#killAll()} is node loss (SIGKILL of everything in the namespace). The test's
 * own JVM stays in the root namespace, so it cannot reach the hosts: clients such as a writer run inside a
 * host ({@link #javaArgv} starts a class of the test class path there).
 *
 * <p>{@link #close()} kills every process started in the namespaces (and any other process found in them),
 * then deletes the namespaces, the veths and the bridge. It is idempotent and also runs from a JVM shutdown
 * hook, so a failed or interrupted test leaves nothing behind. Needs root and {@code ip netns}: call
 * {@link #assumeAvailable()} first so a test skips, with the reason, where they are missing.
 */
public final class NetHosts implements AutoCloseable {
    static final String IP = firstExisting("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip");
    static final String RUNUSER = firstExisting("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser");
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);

    /** What one command printed (stdout and stderr together) and how it ended. */
    public record Result(int exitCode, String output, boolean timedOut) {
        public boolean ok() {
            return exitCode == 0 && !timedOut;
        }

        @Override
        public String toString() {
            return (timedOut ? "timed out" : "exit " + exitCode) + ": " + output.strip();
        }
    }

    private final String id;
    private final String subnet;
    private final List<Host> hosts = new ArrayList<>();
    private final List<Process> started = new ArrayList<>();
    private final List<String> madeNamespaces = new ArrayList<>();
    private final List<String> madeLinks = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::closeQuietly, "net-hosts-cleanup");
    private boolean closed;

    private NetHosts(String id, String subnet) {
        this.id = id;
        this.subnet = subnet;
    }

    /** Skips the calling test unless this JVM runs as root and {@code ip netns} works. */
    public static void assumeAvailable() {
        Result uid = run(List.of("/usr/bin/id", "-u"), Duration.ofSeconds(10));
        Assumptions.assumeTrue(uid.ok() && uid.output().strip().equals("0"),
                "network namespace tests need root (id -u printed " + uid.output().strip() + ")");
        Assumptions.assumeTrue(IP != null, "network namespace tests need iproute2's ip (not found in /usr/sbin, /sbin, /usr/bin)");
        Result list = run(List.of(IP, "netns", "list"), Duration.ofSeconds(10));
        Assumptions.assumeTrue(list.ok(), "network namespace tests need 'ip netns': " + list);
    }

    /** Makes {@code count} hosts on a fresh bridge; on any failure, removes what was already made. */
    public static NetHosts create(int count) {
        if (count < 1 || count > 200) {
            throw new IllegalArgumentException("between 1 and 200 hosts, not " + count);
        }
        SecureRandom random = new SecureRandom();
        byte[] bytes = new byte[3];
        random.nextBytes(bytes);
        NetHosts net = new NetHosts(HexFormat.of().formatHex(bytes), Subnets.unusedSlash24(random));
        Runtime.getRuntime().addShutdownHook(net.shutdownHook);
        try {
            net.build(count);
        } catch (RuntimeException | Error e) {
            net.closeQuietly();
            throw e;
        }
        return net;
    }

    private void build(int count) {
        String bridge = bridgeName();
        // no IPv6 link-local on the root side: an address there would let the namespaces reach the root
        ip("link", "add", bridge, "type", "bridge", "stp_state", "0");
        madeLinks.add(bridge);
        ip("link", "set", bridge, "addrgenmode", "none");
        ip("link", "set", bridge, "up");
        for (int i = 0; i < count; i++) {
            String ns = namespacePrefix() + i;
            String inside = linkPrefix() + "h" + i;
            String outside = linkPrefix() + "b" + i;
            String address = subnet + "." + (i + 1);
            ip("netns", "add", ns);
            madeNamespaces.add(ns);
            ip("link", "add", outside, "type", "veth", "peer", "name", inside);
            madeLinks.add(outside);
            ip("link", "set", outside, "addrgenmode", "none");
            ip("link", "set", outside, "master", bridge);
            ip("link", "set", outside, "up");
            ip("link", "set", inside, "netns", ns);
            ip("-n", ns, "link", "set", inside, "name", "eth0");
            ip("-n", ns, "addr", "add", address + "/24", "dev", "eth0");
            ip("-n", ns, "link", "set", "eth0", "up");
            ip("-n", ns, "link", "set", "lo", "up");
            hosts.add(new Host(i, ns, outside, address));
        }
    }

    /** Host {@code i}, counted from 0. */
    public Host host(int i) {
        return hosts.get(i);
    }

    public int size() {
        return hosts.size();
    }

    /** The first three octets of the hosts' /24, e.g. {@code 10.123.45}. */
    public String subnet() {
        return subnet;
    }

    /** Every namespace made here starts with this (e.g. {@code pgbx-a1b2c3-}). */
    public String namespacePrefix() {
        return "pgbx-" + id + "-";
    }

    /** Every link made here (bridge, both veth ends) starts with this; at most 15 characters in all. */
    public String linkPrefix() {
        return "pgbx" + id;
    }

    public String bridgeName() {
        return linkPrefix() + "br";
    }

    /** Pulls host {@code i}'s cable: its veth goes down on the bridge side; its processes keep running. */
    public void cut(int i) {
        ip("link", "set", hosts.get(i).bridgePort, "down");
    }

    /** Plugs host {@code i}'s cable back in. */
    public void heal(int i) {
        ip("link", "set", hosts.get(i).bridgePort, "up");
    }

    /** Kills a process and all its descendants at once (SIGKILL), as a crash or the OOM killer would. */
    public static void killTree(long pid) {
        ProcessHandle.of(pid).ifPresent(NetHosts::killTree);
    }

    private static void killTree(ProcessHandle p) {
        // children first, collected before the parent dies and they are re-parented out of reach
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(0, p);
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : tree) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // still reported by the namespace sweep in close()
            }
        }
    }

    /**
     * Kills every process started here and every other process still inside the namespaces, then deletes
     * the namespaces (which deletes their veths), any veth left and the bridge. Safe to call twice.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook
        }
        List<String> problems = new ArrayList<>();
        for (Process p : started) {
            killTree(p.toHandle());
        }
        for (String ns : madeNamespaces) {
            sweep(ns, problems);
        }
        for (String ns : madeNamespaces) {
            Result r = run(List.of(IP, "netns", "delete", ns), SETUP_TIMEOUT);
            if (!r.ok() && namespaceExists(ns)) {
                problems.add("ip netns delete " + ns + ": " + r);
            }
        }
        // links in reverse: veths before the bridge they are enslaved to
        for (int i = madeLinks.size() - 1; i >= 0; i--) {
            String link = madeLinks.get(i);
            if (linkExists(link)) {
                Result r = run(List.of(IP, "link", "delete", link), SETUP_TIMEOUT);
                if (!r.ok() && linkExists(link)) {
                    problems.add("ip link delete " + link + ": " + r);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("network hosts " + namespacePrefix() + "* not fully removed: " + problems);
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
        }
    }

    /** Kills whatever still runs in the namespace (daemons that left our process tree, e.g. a postmaster). */
    private static void sweep(String ns, List<String> problems) {
        for (int attempt = 0; attempt < 50; attempt++) {
            Result pids = run(List.of(IP, "netns", "pids", ns), SETUP_TIMEOUT);
            if (!pids.ok()) {
                return; // namespace gone or never made
            }
            List<Long> left = pids.output().lines().map(String::strip).filter(s -> s.matches("\\d+")).map(Long::parseLong).toList();
            if (left.isEmpty()) {
                return;
            }
            left.forEach(NetHosts::killTree);
            sleep(100);
        }
        problems.add("processes still running in " + ns + ": " + run(List.of(IP, "netns", "pids", ns), SETUP_TIMEOUT).output().strip());
    }

    static boolean namespaceExists(String ns) {
        return Files.exists(Path.of("/run/netns", ns)) || Files.exists(Path.of("/var/run/netns", ns));
    }

    static boolean linkExists(String link) {
        // ask the kernel through ip, not /sys/class/net: in a container whose sysfs was mounted before it got its
        // own network namespace (systemd-nspawn), sysfs lists the host's links, not ours
        return run(List.of(IP, "link", "show", "dev", link), SETUP_TIMEOUT).ok();
    }

    private void ip(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(IP);
        argv.addAll(List.of(args));
        Result r = run(argv, SETUP_TIMEOUT);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", argv) + " failed: " + r);
        }
    }

    /** Runs argv in the root namespace, stdout and stderr together; kills the process tree on timeout. */
    static Result run(List<String> argv, Duration timeout) {
        Path out = null;
        try {
            out = Files.createTempFile("pgbx-net-", ".out");
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                killTree(p.toHandle());
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            return finished ? new Result(p.exitValue(), output, false) : new Result(-1, output, true);
        } catch (IOException e) {
            return new Result(-1, "cannot run " + argv.get(0) + ": " + e.getMessage(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + argv, e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    // a temp file left in /tmp is harmless
                }
            }
        }
    }

    /**
     * Polls {@code probe} every 200 ms until it succeeds and returns that result; fails the test with the
     * last result when {@code limit} passes (a generous bound for a slow machine, never a timing assertion).
     */
    public static Result await(String what, Duration limit, Supplier<Result> probe) {
        long deadline = System.nanoTime() + limit.toNanos();
        Result last;
        while (true) {
            last = probe.get();
            if (last.ok() || System.nanoTime() > deadline) {
                break;
            }
            sleep(200);
        }
        if (!last.ok()) {
            throw new AssertionError(what + ": still not so after " + limit.toSeconds() + " s; last try: " + last);
        }
        return last;
    }

    /**
     * Tries a TCP connect from {@code from} to address:port with bash's /dev/tcp (nc may be missing), given
     * up after 5 s: exit 0 when something accepted the connection.
     */
    public static Result tcpConnect(Host from, String address, int port) {
        return from.exec(tcpArgv(address, port), Duration.ofSeconds(10));
    }

    /**
     * The argv that runs {@code main} from the test class path in a new JVM, e.g. a writer that must live on
     * a host of its own: the test's JVM stays in the root namespace and cannot reach the hosts. Run it as
     * root (the class path is under /root/.m2).
     */
    public static List<String> javaArgv(Class<?> main, String... args) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), main.getName()));
        argv.addAll(List.of(args));
        return argv;
    }

    /** The same connect from the root namespace. */
    static Result tcpConnectFromRoot(String address, int port) {
        return run(tcpArgv(address, port), Duration.ofSeconds(10));
    }

    private static List<String> tcpArgv(String address, int port) {
        // a fixed script; address and port arrive as $0 and $1, never spliced into the script
        return List.of("/usr/bin/timeout", "5", "/bin/bash", "-c", ": > \"/dev/tcp/$0/$1\"", address, String.valueOf(port));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String firstExisting(String... paths) {
        for (String p : paths) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return null;
    }

    /** Picks a 10.X.Y.0/24 that no route or address of this machine overlaps. */
    static final class Subnets {
        private static final Set<String> ROUTE_TYPES = Set.of("unicast", "local", "broadcast", "multicast",
                "anycast", "blackhole", "unreachable", "prohibit", "throw", "nat");
        private static final Pattern IPV4 = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)(?:/(\\d+))?");

        private Subnets() {
        }

        static String unusedSlash24(Random random) {
            List<long[]> taken = taken();
            for (int attempt = 0; attempt < 1000; attempt++) {
                int x = random.nextInt(256);
                int y = random.nextInt(256);
                long network = (10L << 24) | ((long) x << 16) | ((long) y << 8);
                if (taken.stream().noneMatch(t -> overlaps(t[0], (int) t[1], network, 24))) {
                    return "10." + x + "." + y;
                }
            }
            throw new IllegalStateException("no free 10.X.Y.0/24: every one overlaps a route of this machine");
        }

        /** Every IPv4 prefix in any routing table or on any interface, as {address, prefix length}. */
        private static List<long[]> taken() {
            List<long[]> taken = new ArrayList<>();
            Result routes = run(List.of(IP, "-4", "-o", "route", "show", "table", "all"), SETUP_TIMEOUT);
            Result addrs = run(List.of(IP, "-4", "-o", "addr", "show"), SETUP_TIMEOUT);
            if (!routes.ok() || !addrs.ok()) {
                throw new IllegalStateException("cannot list this machine's routes: " + routes + " / " + addrs);
            }
            for (String line : routes.output().lines().toList()) {
                String[] words = line.strip().split("\\s+");
                String dest = words.length > 1 && ROUTE_TYPES.contains(words[0]) ? words[1] : words[0];
                parse(dest, taken);
            }
            for (String line : addrs.output().lines().toList()) {
                String[] words = line.strip().split("\\s+");
                for (int i = 0; i + 1 < words.length; i++) {
                    if (words[i].equals("inet")) {
                        parse(words[i + 1], taken);
                    }
                }
            }
            return taken;
        }

        private static void parse(String prefix, List<long[]> into) {
            Matcher m = IPV4.matcher(prefix);
            if (!m.matches()) {
                return; // "default" (all of 0.0.0.0/0: not a local network) or a word we do not need
            }
            long a = 0;
            for (int i = 1; i <= 4; i++) {
                a = (a << 8) | Long.parseLong(m.group(i));
            }
            into.add(new long[] {a, m.group(5) == null ? 32 : Integer.parseInt(m.group(5))});
        }

        static boolean overlaps(long a, int aLength, long b, int bLength) {
            int shorter = Math.min(aLength, bLength);
            long mask = shorter == 0 ? 0 : (0xFFFFFFFFL << (32 - shorter)) & 0xFFFFFFFFL;
            return (a & mask) == (b & mask);
        }
    }

    /** One namespace: its name, address, and the commands run inside it. */
    public final class Host {
        private final int index;
        private final String namespace;
        private final String bridgePort;
        private final String address;

        private Host(int index, String namespace, String bridgePort, String address) {
            this.index = index;
            this.namespace = namespace;
            this.bridgePort = bridgePort;
            this.address = address;
        }

        public int index() {
            return index;
        }

        /** The namespace's name, for {@code ip netns exec}. */
        public String namespace() {
            return namespace;
        }

        /** The host's IPv4 address on the private /24. */
        public String address() {
            return address;
        }

        /** Runs argv inside this host as root and waits for it (killing it at the timeout). */
        public Result exec(List<String> argv, Duration timeout) {
            return run(inside(null, argv), timeout);
        }

        /** Runs argv inside this host as {@code osUser} (through runuser) and waits for it. */
        public Result execAs(String osUser, List<String> argv, Duration timeout) {
            return run(inside(osUser, argv), timeout);
        }

        /** Starts a long-running argv inside this host as root, output appended to logFile; returns its PID. */
        public long start(List<String> argv, Path logFile) {
            return startAs(null, argv, logFile);
        }

        /**
         * Starts a long-running argv inside this host as {@code osUser} (null: root), output appended to
         * logFile; returns the PID of the process started ({@code ip netns exec} replaces itself with the
         * command, runuser stays as its parent). {@link NetHosts#close()} kills it and its descendants.
         */
        public long startAs(String osUser, List<String> argv, Path logFile) {
            synchronized (NetHosts.this) {
                if (closed) {
                    throw new IllegalStateException("network hosts " + namespacePrefix() + "* are closed");
                }
                try {
                    Process p = new ProcessBuilder(inside(osUser, argv)).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                    started.add(p);
                    return p.pid();
                } catch (IOException e) {
                    throw new IllegalStateException("cannot start " + argv + " in " + namespace + ": " + e.getMessage(), e);
                }
            }
        }

        /**
         * Node loss: SIGKILLs every process in this namespace at once (ours and any daemon), leaving the
         * network as it was. Processes started afterwards run normally.
         */
        public void killAll() {
            List<String> problems = new ArrayList<>();
            sweep(namespace, problems);
            if (!problems.isEmpty()) {
                throw new IllegalStateException(String.join("; ", problems));
            }
        }

        private List<String> inside(String osUser, List<String> argv) {
            List<String> cmd = new ArrayList<>(List.of(IP, "netns", "exec", namespace));
            if (osUser != null) {
                cmd.addAll(List.of(RUNUSER, "-u", osUser, "--"));
            }
            cmd.addAll(argv);
            return cmd;
        }

        @Override
        public String toString() {
            return "host " + index + " (" + namespace + ", " + address + ")";
        }
    }
}
