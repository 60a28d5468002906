package dev.pgbox.install;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.OsUser;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Makes sure PostgreSQL and every extension pgbox enables are installed. The check reads files only
 * (instant on every start); installing uses apt-get, and builds pgvector from Debian's source
 * package when no binary package exists for the installed major. Idempotent.
 */
public final class Installer {
    private static final String APT_GET = "/usr/bin/apt-get";
    private static final String APT_CACHE = "/usr/bin/apt-cache";
    /**
     * postgresql-common reads every *.conf here (createcluster.conf ends with an include_dir of this
     * folder); pgbox owns this one file and never edits Debian's createcluster.conf.
     */
    public static final Path CREATECLUSTER_DROPIN = Path.of("/etc/postgresql-common/createcluster.d/pgbox.conf");
    public static final String CREATECLUSTER_TEXT = """
            # Written by pgbox, which owns this file (and will rewrite it).
            # pgbox runs its own PostgreSQL servers; this stops the postgresql-<major> package from
            # creating and starting Debian's "main" cluster on port 5432 when it is installed.
            # Delete this file to get Debian's default back for packages installed later.
            create_main_cluster = false
            """;

    /** What is installed and what is missing for one major. */
    public record Plan(PgInstallation pg, List<Requirement> requirements) {
        public List<Requirement> missing() {
            return requirements.stream().filter(c -> !c.present()).toList();
        }

        public boolean complete() {
            return missing().isEmpty();
        }

        /** Debian packages to install, in order, without duplicates. */
        public List<String> packages() {
            Set<String> p = new LinkedHashSet<>();
            missing().forEach(c -> p.addAll(c.packages()));
            return List.copyOf(p);
        }

        public boolean needsPgvectorBuild() {
            return missing().stream().anyMatch(Requirement::buildPgvector);
        }

        public boolean needsPatroniSource() {
            return missing().stream().anyMatch(r -> r.source() == Requirement.Source.PATRONI);
        }
    }

    private Installer() {
    }

    /**
     * The PostgreSQL installation pgbox uses (the configured major, else the newest installed, else the
     * newest apt offers), whether or not it is installed yet.
     */
    public static PgInstallation installation(Settings settings) {
        return PgInstallation.of(chooseMajor(settings));
    }

    /** Whether pgvector comes as a Debian package for this major (else it is built from source). Asks apt only when it is missing. */
    public static boolean pgvectorPackaged(PgInstallation pg) {
        return pg.hasExtension("vector") || aptHasCandidate("postgresql-" + pg.major() + "-pgvector");
    }

    /**
     * Checks without changing anything. {@code requirements} gives what must be installed for a
     * major (every component's packages; the caller knows the components, this package does not).
     */
    public static Plan check(Settings settings, Function<PgInstallation, List<Requirement>> requirements) {
        PgInstallation pg = installation(settings);
        return new Plan(pg, requirements.apply(pg));
    }

    /** Returns the installation, installing what is missing when root; otherwise explains what to run. */
    public static PgInstallation ensure(Settings settings, Function<PgInstallation, List<Requirement>> requirements, Progress progress) {
        return ensure(check(settings, requirements), () -> check(settings, requirements), progress);
    }

    /**
     * Installs what is missing of {@code requirements} (root only; otherwise explains what to run), for
     * requirements that no component in the start order declares (Patroni and etcd, for the HA commands).
     */
    public static void ensure(PgInstallation pg, Supplier<List<Requirement>> requirements, Progress progress) {
        ensure(new Plan(pg, requirements.get()), () -> new Plan(pg, requirements.get()), progress);
    }

    private static PgInstallation ensure(Plan plan, Supplier<Plan> recheck, Progress progress) {
        if (plan.complete()) {
            return plan.pg();
        }
        if (!OsUser.isRoot()) {
            throw new PgboxException(ErrorKind.INSTALL_REQUIRED,
                    "missing: " + String.join(", ", plan.missing().stream().map(Requirement::name).toList()),
                    "installing packages needs root, and pgbox runs as '" + OsUser.currentName() + "'",
                    "run these as root, then try again:\n" + String.join("\n", commandsFor(plan)));
        }
        install(plan, progress);
        Plan after = recheck.get();
        if (!after.complete()) {
            throw new PgboxException(ErrorKind.INSTALL_REQUIRED,
                    "still missing after install: " + String.join(", ", after.missing().stream().map(Requirement::name).toList()),
                    "apt-get finished but the files are not where PostgreSQL " + after.pg().major() + " expects them",
                    "see the apt-get output above; run 'pgbox install' again");
        }
        return after.pg();
    }

    /** The shell commands a non-root user must run, in order. */
    public static List<String> commandsFor(Plan plan) {
        List<String> cmds = new ArrayList<>();
        cmds.add("mkdir -p " + CREATECLUSTER_DROPIN.getParent() + " && printf 'create_main_cluster = false\\n' > " + CREATECLUSTER_DROPIN);
        cmds.add("apt-get update");
        cmds.add("apt-get install -y --no-install-recommends " + String.join(" ", plan.packages()));
        if (plan.needsPgvectorBuild()) {
            String pgConfig = plan.pg().bin("pg_config").toString();
            cmds.add("printf 'Types: deb-src\\nURIs: " + AptSources.debianMirror().orElse("<your Debian mirror>")
                    + "\\nSuites: trixie\\nComponents: main\\nSigned-By: " + AptSources.KEYRING + "\\n' > " + AptSources.PGBOX_SOURCE);
            cmds.add("apt-get update && cd $(mktemp -d) && apt-get source pgvector/trixie");
            cmds.add("cd pgvector-*/ && make PG_CONFIG=" + pgConfig + " && make PG_CONFIG=" + pgConfig + " install");
        }
        if (plan.needsPatroniSource()) {
            if (!plan.needsPgvectorBuild()) {
                cmds.add("printf 'Types: deb-src\\nURIs: " + AptSources.debianMirror().orElse("<your Debian mirror>")
                        + "\\nSuites: trixie\\nComponents: main\\nSigned-By: " + AptSources.KEYRING + "\\n' > " + AptSources.PGBOX_SOURCE);
            }
            cmds.addAll(PatroniSource.commands());
        }
        return cmds;
    }

    private static void install(Plan plan, Progress progress) {
        progress.step("installing: " + String.join(", ", plan.missing().stream().map(Requirement::name).toList()));
        int steps = 2 + (plan.needsPgvectorBuild() ? 3 : 0) + (plan.needsPatroniSource() ? 1 : 0);
        int step = 1;
        progress.step("[" + step++ + "/" + steps + "] apt-get update");
        aptUpdate();
        keepDebianFromCreatingMainCluster();
        progress.step("[" + step++ + "/" + steps + "] apt-get install " + String.join(" ", plan.packages()));
        boolean etcdServer = plan.packages().contains(DebianEtcd.SERVER_PACKAGE);
        // another apt may hold dpkg's lock for a while (unattended-upgrades): wait for it rather than fail
        Command install = Command.of(APT_GET, "install", "-y", "-q", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=300")
                .args(plan.packages())
                .env("DEBIAN_FRONTEND", "noninteractive")
                .timeout(Duration.ofMinutes(20)).build();
        ProcessResult r;
        AutoCloseable guard = etcdServer ? DebianEtcd.guard() : () -> { };
        try {
            r = ProcessRunner.run(install, line -> {
                if (line.startsWith("Setting up ")) {
                    progress.detail(line);
                }
            });
        } finally {
            try {
                guard.close();
            } catch (Exception e) {
                progress.detail("could not remove " + DebianEtcd.POLICY_RC_D + ": " + e);
            }
        }
        if (!r.ok()) {
            throw new dev.pgbox.exec.ToolFailedException(r, "cannot install " + String.join(" ", plan.packages()),
                    "check the network and 'apt-get update'; then run 'pgbox install' again");
        }
        if (etcdServer) {
            DebianEtcd.retire().forEach(progress::detail);
        }
        if (plan.needsPgvectorBuild()) {
            buildPgvector(plan.pg(), progress, step, steps);
            step += 3;
        }
        if (plan.needsPatroniSource()) {
            progress.step("[" + step + "/" + steps + "] Patroni from Debian trixie's source package");
            addTrixieSources();
            PatroniSource.install(progress);
        }
    }

    /**
     * Written before apt-get install, because postgresql-N's postinst creates (and, where systemd
     * runs, starts) the "main" cluster on 5432 when no cluster exists for N. Any package may pull a
     * server in as a dependency, so this runs before every install. On a stock box postgresql-common
     * is not installed yet; its postinst then writes createcluster.conf from a template that includes
     * this folder. Where an existing createcluster.conf lacks the include, Debian still makes its
     * cluster, and {@link dev.pgbox.cluster.DebianClusters} retires it on start if it is empty.
     */
    static void keepDebianFromCreatingMainCluster() {
        try {
            if (!Files.exists(CREATECLUSTER_DROPIN) || !Files.readString(CREATECLUSTER_DROPIN).equals(CREATECLUSTER_TEXT)) {
                Files.createDirectories(CREATECLUSTER_DROPIN.getParent());
                Files.writeString(CREATECLUSTER_DROPIN, CREATECLUSTER_TEXT);
            }
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot write " + CREATECLUSTER_DROPIN, e.getMessage(), "run pgbox as root");
        }
    }

    private static void buildPgvector(PgInstallation pg, Progress progress, int step, int steps) {
        progress.step("[" + step++ + "/" + steps + "] adding Debian trixie source packages (deb-src only) for pgvector");
        addTrixieSources();
        progress.step("[" + step++ + "/" + steps + "] downloading pgvector's source package");
        Path build;
        try {
            build = Files.createTempDirectory("pgbox-pgvector-");
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.FAILURE, "cannot create a build folder", e.getMessage(), "check /tmp");
        }
        try {
            ProcessRunner.runChecked(Command.of(APT_GET, "source", "-q", "pgvector/trixie").workDir(build)
                    .timeout(Duration.ofMinutes(5)).build(), "cannot download pgvector's source package",
                    "check that " + AptSources.PGBOX_SOURCE + " names a reachable Debian mirror");
            Path src = sourceDir(build);
            progress.step("[" + step + "/" + steps + "] building pgvector in " + src.getFileName() + " for PostgreSQL " + pg.major());
            String pgConfig = "PG_CONFIG=" + pg.bin("pg_config");
            ProcessRunner.runChecked(Command.of("/usr/bin/make", "-j", Integer.toString(Runtime.getRuntime().availableProcessors()), pgConfig)
                    .workDir(src).timeout(Duration.ofMinutes(10)).build(), "cannot build pgvector",
                    "check that postgresql-server-dev-" + pg.major() + " and gcc are installed");
            ProcessRunner.runChecked(Command.of("/usr/bin/make", "install", pgConfig).workDir(src)
                    .timeout(Duration.ofMinutes(2)).build(), "cannot install pgvector", "run pgbox as root");
        } finally {
            deleteTree(build);
        }
    }

    /** Adds the deb-src line for Debian trixie (source packages only) on the machine's own mirror, and refreshes apt's lists. */
    private static void addTrixieSources() {
        String mirror = AptSources.debianMirror().orElseThrow(() -> new PgboxException(ErrorKind.INSTALL_REQUIRED,
                "cannot find the Debian archive in the apt sources", "no URI ending in /debian in /etc/apt/sources.list*",
                "add your Debian mirror to /etc/apt/sources.list, then run 'pgbox install' again"));
        try {
            Files.writeString(AptSources.PGBOX_SOURCE, AptSources.trixieSourceStanza(mirror));
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot write " + AptSources.PGBOX_SOURCE, e.getMessage(),
                    "run pgbox as root");
        }
        aptUpdate();
    }

    private static Path sourceDir(Path build) {
        try (Stream<Path> s = Files.list(build)) {
            return s.filter(Files::isDirectory).filter(p -> p.getFileName().toString().startsWith("pgvector-"))
                    .findFirst().orElseThrow(() -> new PgboxException(ErrorKind.TOOL_FAILED,
                            "apt-get source left no pgvector-* folder in " + build, "dpkg-source did not unpack the package",
                            "install dpkg-dev, then run 'pgbox install' again"));
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.FAILURE, "cannot read " + build, e.getMessage(), null);
        }
    }

    private static void aptUpdate() {
        ProcessRunner.runChecked(Command.of(APT_GET, "update", "-q").env("DEBIAN_FRONTEND", "noninteractive")
                .timeout(Duration.ofMinutes(5)).build(), "cannot refresh the package lists",
                "check the network and the files in /etc/apt/sources.list.d");
    }

    /** The configured major, else the newest installed, else the newest apt offers. */
    static int chooseMajor(Settings settings) {
        if (settings.isSet(Setting.PGBOX_PG_VERSION)) {
            return settings.integer(Setting.PGBOX_PG_VERSION);
        }
        Optional<Integer> installed = PgInstallation.newestInstalled();
        if (installed.isPresent()) {
            return installed.get();
        }
        Optional<Integer> offered = newestOffered();
        if (offered.isEmpty() && OsUser.isRoot()) {
            aptUpdate();
            offered = newestOffered();
        }
        return offered.orElseThrow(() -> new PgboxException(ErrorKind.INSTALL_REQUIRED,
                "no PostgreSQL server is installed or offered by apt", "apt-cache knows no postgresql-<major> package",
                "run 'apt-get update' as root, or set PGBOX_PG_VERSION"));
    }

    private static Optional<Integer> newestOffered() {
        if (!Files.isExecutable(Path.of(APT_CACHE))) {
            return Optional.empty();
        }
        ProcessResult r = ProcessRunner.run(Command.of(APT_CACHE, "pkgnames", "postgresql-").timeout(Duration.ofSeconds(30)).build());
        return r.stdout().lines().map(String::strip).filter(l -> l.matches("postgresql-\\d+"))
                .map(l -> Integer.parseInt(l.substring("postgresql-".length())))
                .filter(m -> aptHasCandidate("postgresql-" + m))
                .max(Comparator.naturalOrder());
    }

    static boolean aptHasCandidate(String pkg) {
        if (!Files.isExecutable(Path.of(APT_CACHE))) {
            return false;
        }
        ProcessResult r = ProcessRunner.run(Command.of(APT_CACHE, "policy", pkg).timeout(Duration.ofSeconds(30)).build());
        return r.stdout().lines().map(String::strip)
                .anyMatch(l -> l.startsWith("Candidate:") && !l.contains("(none)"));
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp folder is harmless
        }
    }
}
