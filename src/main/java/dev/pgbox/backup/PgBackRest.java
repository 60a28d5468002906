package dev.pgbox.backup;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.OwnedFiles;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import dev.pgbox.exec.ToolFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pgBackRest for one project, run as the server's OS user with the project's own configuration.
 * The only class that runs pgbackrest.
 */
public final class PgBackRest {
    public static final String BIN = dev.pgbox.install.Tools.PGBACKREST;
    public static final String STANZA = "main";
    private static final Pattern PERCENT = Pattern.compile("\\((\\d{1,3})(?:\\.\\d+)?%\\)");

    private final Settings settings;
    private final Layout layout;

    public PgBackRest(Settings settings, Layout layout) {
        this.settings = settings;
        this.layout = layout;
    }

    public Path repo() {
        return PgBackRestConf.repo(settings, layout);
    }

    /** Writes pgbackrest.conf (0600: it may hold the cipher key) and the folders it names; true if it changed. */
    public boolean writeConfig() {
        if (!PgBackRestConf.s3(settings)) {
            if (settings.isSet(dev.pgbox.config.Setting.BACKUP_REPO)) {
                OwnedFiles.ownedDirectory(repo(), layout.osUser(), "rwxr-x---"); // the user's place: marked as pgbox's
            } else {
                OwnedFiles.directory(repo(), layout.osUser(), "rwxr-x---");
            }
        }
        OwnedFiles.directory(layout.logDir().resolve("pgbackrest"), layout.osUser(), "rwxr-x---");
        OwnedFiles.directory(layout.runDir().resolve("pgbackrest"), layout.osUser(), "rwxr-x---");
        OwnedFiles.directory(PgBackRestConf.spool(layout), layout.osUser(), "rwxr-x---");
        String text = PgBackRestConf.render(settings, layout);
        if (OwnedFiles.read(layout.pgbackrestConf()).equals(text)) {
            return false;
        }
        OwnedFiles.write(layout.pgbackrestConf(), text, layout.osUser(), "rw-------");
        return true;
    }

    /** Whether the stanza exists: a file check for a local repository, pgBackRest's own answer for S3. */
    public boolean stanzaExists() {
        if (!PgBackRestConf.s3(settings)) {
            return Files.exists(repo().resolve("backup").resolve(STANZA).resolve("backup.info"));
        }
        ProcessResult r = ProcessRunner.run(Command.of(BIN, "--config=" + layout.pgbackrestConf(), "--stanza=" + STANZA, "--output=json", "info")
                .runAs(layout.osUser()).timeout(Duration.ofMinutes(2)).build());
        int code = r.ok() ? BackupSet.stanzaStatus(r.stdout(), STANZA) : -1;
        return code == 0 || code == 2;
    }

    public void stanzaCreate() {
        run("cannot create the backup stanza", Duration.ofMinutes(5), null, "stanza-create");
    }

    /**
     * Takes a backup of {@code type} (full, diff or incr) and returns it. Progress shows every tenth of
     * the copy; pgBackRest expires older backups by the retention settings afterwards.
     */
    public BackupSet backup(String type, Progress progress) {
        List<BackupSet> before = info();
        run("the " + type + " backup failed", Duration.ofHours(12), everyTenth(progress, "copied"), "--type=" + type,
                "--log-level-console=detail", "backup");
        List<BackupSet> after = info();
        return after.stream().filter(b -> before.stream().noneMatch(x -> x.label().equals(b.label())))
                .reduce((a, b) -> b).orElseThrow(() -> new PgboxException(ErrorKind.TOOL_FAILED,
                        "pgbackrest reported success but no new backup is in the repository", "see " + layout.logDir().resolve("pgbackrest"),
                        "run 'pgbox db backup --physical' again"));
    }

    public List<BackupSet> info() {
        if (!stanzaExists()) {
            return List.of();
        }
        return BackupSet.parse(run("cannot read the backup repository", Duration.ofMinutes(2), null, "--output=json", "info").stdout(),
                STANZA);
    }

    /** Switches WAL and waits until that file is in the repository: afterwards everything committed is archived. */
    public void check() {
        run("WAL archiving does not work", Duration.ofMinutes(5), null, "check");
    }

    /** pgbackrest restore with these options into the configured data dir (the server must be stopped). */
    public void restore(Progress progress, List<String> options) {
        String[] args = options.toArray(new String[0]);
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--log-level-console=detail";
        all[args.length + 1] = "restore";
        run("the restore failed", Duration.ofHours(12), everyTenth(progress, "restored"), all);
    }

    /** pgbackrest verify: every file in the repository matches its checksum. Returns the tool's output. */
    public String verify() {
        ProcessResult r = run("the repository did not verify", Duration.ofHours(2), null, "--log-level-console=info", "verify");
        return r.stdout();
    }

    /** Turns pgBackRest's per-file "(NN%)" detail lines into one progress line per tenth done. */
    private static java.util.function.Consumer<String> everyTenth(Progress progress, String verb) {
        int[] shown = {-1};
        return line -> {
            Matcher m = PERCENT.matcher(line);
            if (m.find()) {
                int pct = Integer.parseInt(m.group(1)) / 10 * 10;
                if (pct > shown[0]) {
                    shown[0] = pct;
                    progress.detail(verb + " " + pct + "%");
                }
            }
        };
    }

    private ProcessResult run(String what, Duration timeout, java.util.function.Consumer<String> lines, String... args) {
        Command c = Command.of(BIN, "--config=" + layout.pgbackrestConf(), "--stanza=" + STANZA).args(args)
                .runAs(layout.osUser()).timeout(timeout).build();
        ProcessResult r = ProcessRunner.run(c, lines);
        if (!r.ok()) {
            throw new ToolFailedException(r, what, "see " + layout.logDir().resolve("pgbackrest") + " for pgBackRest's log");
        }
        return r;
    }
}
