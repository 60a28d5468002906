package dev.pgbox.cluster;

import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.OsUser;
import dev.pgbox.install.PgInstallation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Where one project's server lives: data, sockets, logs, and the OS user that owns them. The only
 * place that knows these paths.
 *
 * @param stateFallback true when the state dir moved to /var/lib/pgbox because the OS user could
 *     not reach the project folder
 */
public record Layout(Path projectDir, Path stateDir, Path dataDir, Path runDir, Path logDir, String osUser,
                     PgInstallation pg, boolean stateFallback) {

    public static final String CONF_FILE = "pgbox.conf";
    public static final Path FALLBACK_ROOT = Path.of("/var/lib/pgbox");

    public static Layout resolve(Settings s, PgInstallation pg) {
        String osUser = s.isSet(Setting.PGBOX_OS_USER) ? s.get(Setting.PGBOX_OS_USER)
                : OsUser.isRoot() ? "postgres" : OsUser.currentName();
        Path project = s.projectDir();
        Path state;
        boolean fallback = false;
        if (s.isSet(Setting.PGBOX_STATE_DIR)) {
            state = Path.of(s.get(Setting.PGBOX_STATE_DIR));
        } else {
            state = project.resolve(".pgbox");
            if (OsUser.isRoot() && !"root".equals(osUser) && !reachable(project, osUser)) {
                state = FALLBACK_ROOT.resolve(project.getFileName() + "-" + shortHash(project.toString()));
                fallback = true;
            }
        }
        Path data = pathOr(s, Setting.PGBOX_DATA_DIR, state.resolve("data"));
        // a folder the user names for logs or sockets may be shared: pgbox then uses its own subfolder in it
        Path run = s.isSet(Setting.PGBOX_RUN_DIR) ? OwnedFiles.placeIn(Path.of(s.get(Setting.PGBOX_RUN_DIR)), project) : state.resolve("run");
        Path log = s.isSet(Setting.PGBOX_LOG_DIR) ? OwnedFiles.placeIn(Path.of(s.get(Setting.PGBOX_LOG_DIR)), project) : state.resolve("log");
        return new Layout(project, state, data, run, log, osUser, pg, fallback);
    }

    private static Path pathOr(Settings s, Setting setting, Path fallback) {
        return s.isSet(setting) ? Path.of(s.get(setting)) : fallback;
    }

    /** Whether {@code osUser} can traverse every existing folder down to {@code dir}. */
    public static boolean reachable(Path dir, String osUser) {
        Optional<OsUser.Account> account = OsUser.byName(osUser);
        if (account.isEmpty()) {
            return true; // the missing user is reported on its own, with its own fix
        }
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (!Files.exists(p)) {
                continue;
            }
            try {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
                int uid = (Integer) Files.getAttribute(p, "unix:uid");
                int gid = (Integer) Files.getAttribute(p, "unix:gid");
                boolean ok = uid == account.get().uid() ? a.permissions().contains(PosixFilePermission.OWNER_EXECUTE)
                        : gid == account.get().gid() ? a.permissions().contains(PosixFilePermission.GROUP_EXECUTE)
                        : a.permissions().contains(PosixFilePermission.OTHERS_EXECUTE);
                if (!ok) {
                    return false;
                }
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return true;
    }

    static String shortHash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same project with another data, socket and log folder: a staging data dir, or a scratch instance's folder. */
    public Layout withFolders(Path data, Path run, Path log) {
        return new Layout(projectDir, stateDir, data, run, log, osUser, pg, stateFallback);
    }

    public Path confFile() {
        return dataDir.resolve(CONF_FILE);
    }

    public Path pidFile() {
        return dataDir.resolve("postmaster.pid");
    }

    public Path startupLog() {
        return logDir.resolve("startup.log");
    }

    /** The TLS certificate clients can pin (sslrootcert), readable by everyone. */
    public Path certificate() {
        return dataDir.resolve("server.crt");
    }

    /** pgBackRest's configuration for this project (0600, owned by the OS user: it may hold the cipher key). */
    public Path pgbackrestConf() {
        return stateDir.resolve("pgbackrest.conf");
    }

    /** Default home of backups: the pgBackRest repository and logical dumps. */
    public Path backupDir() {
        return stateDir.resolve("backup");
    }

    /** Present while the server should run: written by every start, removed by every stop; the agent's watchdog reads it. */
    public Path wantedFile() {
        return runDir.resolve("server.wanted");
    }

    /** One line per crash of the postmaster: epoch seconds, who noticed (systemd, watchdog, start), detail. */
    public Path crashLog() {
        return logDir.resolve("crashes.log");
    }

    /** Settings the agent runs with (0600, owned by the OS user): it runs as that user and cannot read the project's files. */
    public Path agentSettings() {
        return stateDir.resolve("agent.env");
    }

    /** The copy of pgbox the agent runs, where the OS user can read it. */
    public Path agentJar() {
        return stateDir.resolve("lib").resolve("pgbox.jar");
    }

    /** A name for this project's systemd units: the folder's name plus a hash of its path. */
    public String unitBase() {
        String name = projectDir.getFileName() == null ? "root" : projectDir.getFileName().toString().toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (name.length() > 40) {
            name = name.substring(0, 40);
        }
        return "pgbox-" + (name.isEmpty() ? "project" : name) + "-" + shortHash(projectDir.toString());
    }

    /** Where restore drills and one-app rewinds make their scratch clusters, one folder per run. */
    public Path scratchDir() {
        return stateDir.resolve("scratch");
    }

    /** Whether the user named the state dir (PGBOX_STATE_DIR): then it is theirs, not pgbox's. */
    public boolean explicitStateDir() {
        return !stateDir.equals(projectDir.resolve(".pgbox")) && !stateDir.startsWith(FALLBACK_ROOT);
    }

    public boolean initialized() {
        return Files.exists(dataDir.resolve("PG_VERSION"));
    }
}
