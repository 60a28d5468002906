package dev.pgbox.install;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Patroni from Debian trixie's source package, run from its unpacked source on bookworm's Python 3
 * and the Python libraries bookworm packages. Bookworm's own patroni 3.0.2 overwrites the leader key
 * when a partitioned old leader heals and promotes its stale data (fixed upstream after 3.0.2); trixie's
 * 4.0.7 has that fix and ignores stale etcd members. Patroni is pure Python, so nothing is compiled.
 *
 * <p>The source is fetched by apt from the mirror the machine already uses (a deb-src line for trixie
 * that pgbox adds), checked against the SHA-256 sums of apt's signed Sources index, unpacked with
 * Debian's patch series applied, and installed as {@code /usr/local/lib/pgbox/patroni-VERSION} with
 * two small launchers in {@code /usr/local/lib/pgbox/bin}. Idempotent: a present version is never
 * fetched again, and the check reads files only.
 */
public final class PatroniSource {
    /** The oldest Patroni pgbox runs: the first with both partition-heal fixes that Debian packages. */
    public static final String MIN_VERSION = "4.0.7";
    public static final Path ROOT = Path.of("/usr/local/lib/pgbox");
    public static final Path BIN_DIR = ROOT.resolve("bin");
    public static final Path PATRONI = BIN_DIR.resolve("patroni");
    public static final Path PATRONICTL = BIN_DIR.resolve("patronictl");
    /** bookworm's Python libraries Patroni imports (those Debian's patroni 3.0.2 depends on, with etcd for etcd3). */
    public static final List<String> PYTHON_PACKAGES = List.of("python3", "python3-psycopg2", "python3-etcd", "python3-dnspython",
            "python3-urllib3", "python3-yaml", "python3-click", "python3-prettytable", "python3-dateutil", "python3-psutil",
            "python3-cdiff");
    /** What unpacking the source needs. */
    public static final List<String> TOOL_PACKAGES = List.of("patch", "xz-utils", "tar");
    /** The module each library package installs under dist-packages, to check by reading files. */
    private static final List<String> PYTHON_MODULES = List.of("psycopg2", "etcd", "dns", "urllib3", "yaml", "click", "prettytable",
            "dateutil", "psutil", "cdiff.py");
    private static final Path DIST_PACKAGES = Path.of("/usr/lib/python3/dist-packages");
    private static final String SOURCE_PACKAGE = "patroni";
    private static final Pattern VERSION_LINE = Pattern.compile("(?m)^__version__\\s*=\\s*'([0-9][0-9.]*)'");
    private static final Pattern HOME_LINE = Pattern.compile("(?m)^HOME = '([^']+)'$");

    private PatroniSource() {
    }

    /** Whether every Python library Patroni imports is installed (files only). */
    public static boolean librariesPresent() {
        return PYTHON_MODULES.stream().allMatch(m -> Files.exists(DIST_PACKAGES.resolve(m))) && Files.isExecutable(Path.of(Tools.PYTHON3));
    }

    /** The unpacked Patroni the launchers run, when both launchers exist and it is at least {@link #MIN_VERSION}. Files only. */
    public static Optional<String> installedVersion() {
        Optional<Path> home = unpacked();
        if (home.isEmpty() || !current(PATRONI, launcher(home.get(), "patroni.__main__", "main"))
                || !current(PATRONICTL, launcher(home.get(), "patroni.ctl", "ctl"))) {
            return Optional.empty();
        }
        return versionIn(home.get());
    }

    /** The folder the patroni launcher names, when a complete Patroni of at least {@link #MIN_VERSION} is unpacked there. */
    private static Optional<Path> unpacked() {
        return home().filter(h -> Files.isRegularFile(h.resolve("patroni/__main__.py"))
                && versionIn(h).filter(v -> compare(v, MIN_VERSION) >= 0).isPresent());
    }

    /** Whether a launcher is executable and exactly what this pgbox writes. */
    private static boolean current(Path launcher, String text) {
        try {
            return Files.isExecutable(launcher) && Files.readString(launcher).equals(text);
        } catch (IOException e) {
            return false;
        }
    }

    /** The folder the patroni launcher runs Patroni from. */
    public static Optional<Path> home() {
        if (!Files.isExecutable(PATRONI)) {
            return Optional.empty();
        }
        try {
            Matcher m = HOME_LINE.matcher(Files.readString(PATRONI));
            return m.find() ? Optional.of(Path.of(m.group(1))) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<String> versionIn(Path home) {
        try {
            Matcher m = VERSION_LINE.matcher(Files.readString(home.resolve("patroni/version.py")));
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Compares dotted version numbers numerically (4.0.10 is newer than 4.0.7). */
    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int d = Integer.compare(i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
            if (d != 0) {
                return d;
            }
        }
        return 0;
    }

    /**
     * A launcher: Debian's python3 in isolated mode (-I: no PYTHONPATH, no user site, no current folder,
     * so a pyenv or a stray module cannot change what runs), the unpacked source first on the path.
     */
    static String launcher(Path home, String module, String function) {
        return "#!" + Tools.PYTHON3 + " -I\n"
                + "# Written by pgbox, which owns this file: runs Patroni from Debian trixie's source package,\n"
                + "# unpacked in HOME, on bookworm's python3 libraries. 'pgbox install' rewrites it.\n"
                + "import sys\n"
                + "HOME = '" + home + "'\n"
                + "sys.path.insert(0, HOME)\n"
                + "from " + module + " import " + function + "\n"
                // Patroni starts PostgreSQL through multiprocessing's spawn, which imports this file again in
                // the child: unguarded, the child would run a second Patroni
                + "if __name__ == '__main__':\n"
                + "    sys.exit(" + function + "())\n";
    }

    /** The shell commands a non-root user would run to do what {@link #install} does. */
    public static List<String> commands() {
        return List.of("apt-get update && cd $(mktemp -d) && apt-get source --download-only patroni/trixie  "
                        + "# the .dsc may answer 404 on some mirrors; the two tarballs are enough",
                "tar xzf patroni_*.orig.tar.gz && cd patroni-*/ && tar xJf ../patroni_*.debian.tar.xz "
                        + "&& for p in $(grep -v '^#' debian/patches/series); do patch -p1 -s < debian/patches/$p; done",
                "mkdir -p " + ROOT + " && cp -a . " + ROOT + "/patroni-$(sed -n \"s/^__version__ = '\\(.*\\)'/\\1/p\" patroni/version.py)",
                "write the launchers " + PATRONI + " and " + PATRONICTL + " (run 'pgbox install' as root to have them written)");
    }

    /**
     * Fetches, checks, unpacks and installs Patroni from trixie's source package; writes the launchers.
     * The deb-src line for trixie must be in place and apt's lists fresh (the installer does both).
     */
    public static String install(Progress progress) {
        Optional<Path> existing = unpacked();
        if (existing.isPresent()) {
            // unpacked already: only the launchers are missing or from another pgbox
            try {
                writeLaunchers(existing.get());
            } catch (IOException e) {
                throw new PgboxException(ErrorKind.PERMISSION, "cannot write the Patroni launchers in " + BIN_DIR, e.toString(), "run pgbox as root");
            }
            return versionIn(existing.get()).orElseThrow();
        }
        Path download = tempDir("pgbox-patroni-");
        try {
            progress.step("downloading Patroni's source package from Debian trixie");
            Map<String, String> sums = expectedSums();
            ProcessResult r = ProcessRunner.run(Command.of("/usr/bin/apt-get", "source", "--download-only", "-q", SOURCE_PACKAGE + "/trixie")
                    .workDir(download).env("DEBIAN_FRONTEND", "noninteractive").timeout(Duration.ofMinutes(5)).build());
            Path orig = find(download, ".orig.tar.");
            Path debian = find(download, ".debian.tar.");
            if (orig == null || debian == null) {
                // a mirror may answer 404 for the .dsc while serving both tarballs: apt then fails, but
                // the tarballs are all pgbox needs (their sums come from the signed Sources index)
                throw new PgboxException(ErrorKind.TOOL_FAILED, "cannot download Patroni's source package from Debian trixie",
                        r.tail(3), "check that " + AptSources.PGBOX_SOURCE + " names a reachable Debian mirror, then run 'pgbox install' again");
            }
            verify(orig, sums);
            verify(debian, sums);
            Files.createDirectories(ROOT);
            Path work = Files.createTempDirectory(ROOT, ".patroni-unpack-");
            try {
                String version = unpack(orig, debian, work, progress);
                Path home = ROOT.resolve("patroni-" + version);
                Path tree = work.resolve("patroni-" + version);
                progress.step("installing Patroni " + version + " in " + home);
                // byte-compile as root, so the postgres user never needs to write beside the sources
                ProcessRunner.runChecked(Command.of(Tools.PYTHON3, "-I", "-m", "compileall", "-q", tree.resolve("patroni").toString())
                        .timeout(Duration.ofMinutes(5)).build(), "cannot byte-compile Patroni", "check that python3 is Debian's");
                readableByAll(tree);
                if (Files.exists(home)) {
                    deleteTree(home); // a copy without launchers, from an interrupted install
                }
                Files.move(tree, home, StandardCopyOption.ATOMIC_MOVE);
                writeLaunchers(home);
                return version;
            } finally {
                deleteTree(work);
            }
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot install Patroni in " + ROOT, e.toString(), "run pgbox as root");
        } finally {
            deleteTree(download);
        }
    }

    /** Unpacks the upstream tarball, lays Debian's folder over it and applies Debian's patch series; returns the version. */
    private static String unpack(Path orig, Path debian, Path work, Progress progress) {
        progress.step("unpacking " + orig.getFileName() + " with Debian's patches");
        ProcessRunner.runChecked(Command.of("/usr/bin/tar", "-xf", orig.toString(), "--no-same-owner").workDir(work)
                .timeout(Duration.ofMinutes(2)).build(), "cannot unpack " + orig.getFileName(), "install tar and xz-utils");
        Path tree;
        try (Stream<Path> s = Files.list(work)) {
            tree = s.filter(Files::isDirectory).filter(p -> p.getFileName().toString().startsWith("patroni-")).findFirst()
                    .orElseThrow(() -> new PgboxException(ErrorKind.TOOL_FAILED, orig.getFileName() + " holds no patroni-* folder",
                            "the upstream tarball has another layout", "report this; pgbox expects Patroni's release tarball"));
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.FAILURE, "cannot read " + work, e.toString(), null);
        }
        ProcessRunner.runChecked(Command.of("/usr/bin/tar", "-xf", debian.toString(), "--no-same-owner").workDir(tree)
                .timeout(Duration.ofMinutes(2)).build(), "cannot unpack " + debian.getFileName(), "install tar and xz-utils");
        for (String patch : series(tree)) {
            ProcessRunner.runChecked(Command.of("/usr/bin/patch", "-p1", "-N", "-s", "--no-backup-if-mismatch", "-i",
                    tree.resolve("debian/patches").resolve(patch).toString()).workDir(tree).timeout(Duration.ofMinutes(1)).build(),
                    "cannot apply Debian's patch " + patch + " to Patroni", "install patch; then run 'pgbox install' again");
        }
        String version = versionIn(tree).orElseThrow(() -> new PgboxException(ErrorKind.TOOL_FAILED,
                "cannot read Patroni's version in " + tree, "patroni/version.py has no __version__ line", null));
        if (compare(version, MIN_VERSION) < 0) {
            throw new PgboxException(ErrorKind.INSTALL_REQUIRED, "Debian trixie offers Patroni " + version,
                    "pgbox needs Patroni " + MIN_VERSION + " or newer (older releases lose writes when a partitioned leader rejoins)",
                    "check the trixie deb-src line in " + AptSources.PGBOX_SOURCE);
        }
        Path target = tree.resolveSibling("patroni-" + version);
        if (!tree.equals(target)) {
            try {
                Files.move(tree, target);
            } catch (IOException e) {
                throw new PgboxException(ErrorKind.FAILURE, "cannot rename " + tree, e.toString(), null);
            }
        }
        return version;
    }

    /** Debian's patch series in order; comments and blank lines skipped. */
    static List<String> series(Path tree) {
        Path file = tree.resolve("debian/patches/series");
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return parseSeries(Files.readString(file));
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.FAILURE, "cannot read " + file, e.toString(), null);
        }
    }

    static List<String> parseSeries(String text) {
        List<String> patches = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.replaceFirst("#.*", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            String name = line.split("\\s+")[0];
            if (name.contains("..") || name.startsWith("/")) {
                throw new PgboxException(ErrorKind.TOOL_FAILED, "Debian's patch series names '" + name + "'",
                        "a patch outside debian/patches", null);
            }
            patches.add(name);
        }
        return patches;
    }

    /** The SHA-256 of each file of trixie's patroni source package, from apt's (signed) Sources index. */
    private static Map<String, String> expectedSums() {
        ProcessResult r = ProcessRunner.runChecked(Command.of("/usr/bin/apt-cache", "showsrc", "-q", SOURCE_PACKAGE)
                .timeout(Duration.ofSeconds(60)).build(), "cannot read Patroni's source package entry", "run 'apt-get update'");
        return parseSums(r.stdout());
    }

    /** File name to SHA-256 from apt-cache showsrc output (every stanza: names carry the version). */
    static Map<String, String> parseSums(String showsrc) {
        Map<String, String> sums = new LinkedHashMap<>();
        boolean inSums = false;
        for (String line : showsrc.split("\n")) {
            if (line.startsWith("Checksums-Sha256:")) {
                inSums = true;
            } else if (inSums && line.startsWith(" ")) {
                String[] f = line.strip().split("\\s+");
                if (f.length == 3 && f[0].matches("[0-9a-f]{64}")) {
                    sums.put(f[2], f[0]);
                }
            } else {
                inSums = false;
            }
        }
        return sums;
    }

    private static void verify(Path file, Map<String, String> sums) {
        String want = sums.get(file.getFileName().toString());
        if (want == null) {
            throw new PgboxException(ErrorKind.TOOL_FAILED, "apt's Sources index lists no " + file.getFileName(),
                    "the downloaded file is not part of the indexed source package", "run 'apt-get update', then 'pgbox install' again");
        }
        String got = sha256(file);
        if (!got.equals(want)) {
            throw new PgboxException(ErrorKind.TOOL_FAILED, file.getFileName() + " does not match apt's Sources index",
                    "SHA-256 " + got + ", expected " + want, "run 'apt-get update', then 'pgbox install' again");
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new PgboxException(ErrorKind.FAILURE, "cannot read " + file, e.toString(), null);
        }
    }

    private static Path find(Path dir, String part) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(SOURCE_PACKAGE + "_") && p.getFileName().toString().contains(part))
                    .findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static void writeLaunchers(Path home) throws IOException {
        writeLauncher(PATRONI, launcher(home, "patroni.__main__", "main"));
        writeLauncher(PATRONICTL, launcher(home, "patroni.ctl", "ctl"));
    }

    private static void writeLauncher(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Every folder and file readable by every user (Patroni runs as the postgres user); nothing writable but by root. */
    private static void readableByAll(Path tree) throws IOException {
        try (Stream<Path> s = Files.walk(tree)) {
            for (Path p : s.toList()) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                boolean exec = Files.isDirectory(p) || perms.contains(PosixFilePermission.OWNER_EXECUTE);
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static Path tempDir(String prefix) {
        try {
            // 0700 and root's: apt warns that its _apt user cannot write there and downloads as root
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.FAILURE, "cannot create a download folder", e.getMessage(), "check /tmp");
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp folder is harmless
        }
    }
}
