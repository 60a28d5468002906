package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.ProjectLock;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.OsUser;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The one place that decides which commands change a project (server, backups, apps, config) and
 * runs those under the {@link ProjectLock}, so two of them, or one and an agent job, never run at
 * once. Every command is either in {@link #CHANGERS} (with the test that tells a changing use from
 * a read-only one, e.g. {@code db backup --list}) or in {@link #READ_ONLY}; a unit test fails when a
 * new command is in neither.
 */
final class ProjectLocking implements CommandLine.IExecutionStrategy {
    private static final Predicate<ParseResult> ALWAYS = pr -> true;

    static final Map<String, Predicate<ParseResult>> CHANGERS = Map.ofEntries(
            Map.entry("pgbox start", ALWAYS),
            Map.entry("pgbox stop", ALWAYS),
            Map.entry("pgbox restart", ALWAYS),
            Map.entry("pgbox tune", pr -> pr.hasMatchedOption("--apply")),
            Map.entry("pgbox db backup", pr -> !pr.hasMatchedOption("--list")),
            Map.entry("pgbox db restore", ALWAYS),
            Map.entry("pgbox db verify", ALWAYS),
            Map.entry("pgbox db restore-point", ALWAYS),
            Map.entry("pgbox db replica", pr -> !pr.hasMatchedOption("--status")),
            Map.entry("pgbox app create", ALWAYS),
            Map.entry("pgbox app drop", ALWAYS),
            Map.entry("pgbox app rotate-password", ALWAYS),
            Map.entry("pgbox rls enable", ALWAYS),
            Map.entry("pgbox ha init", ALWAYS), Map.entry("pgbox ha join", ALWAYS),
            Map.entry("pgbox ha switchover", ALWAYS), Map.entry("pgbox ha failover", ALWAYS),
            Map.entry("pgbox migrate up", ALWAYS), Map.entry("pgbox migrate down", ALWAYS),
            Map.entry("pgbox schema audit", pr -> pr.hasMatchedOption("--fix")),
            Map.entry("pgbox partition create", ALWAYS), Map.entry("pgbox partition convert", ALWAYS),
            Map.entry("pgbox jobs add", ALWAYS), Map.entry("pgbox jobs remove", ALWAYS),
            // schema changes of a collection (its table, its vector index, its search settings)
            Map.entry("pgbox memory create", ALWAYS), Map.entry("pgbox memory index", ALWAYS),
            Map.entry("pgbox memory tune", ALWAYS),
            Map.entry("pgbox pool enable", ALWAYS), Map.entry("pgbox pool disable", ALWAYS), Map.entry("pgbox plugin install", ALWAYS));

    /** Commands that only read (or, like db query and db shell, run the user's own SQL), or that lock on their own (the agent's jobs). */
    static final Set<String> READ_ONLY = Set.of("pgbox", "pgbox init", "pgbox completion", "pgbox install", "pgbox status", "pgbox config", "pgbox agent",
            "pgbox db", "pgbox db shell", "pgbox db query", "pgbox app", "pgbox app list", "pgbox app url",
            "pgbox rls", "pgbox rls test", "pgbox rls audit", "pgbox security", "pgbox security audit",
            "pgbox ha", "pgbox ha status",
            "pgbox alerts", "pgbox alerts list", "pgbox alerts silence", "pgbox alerts test",
            "pgbox report", "pgbox report slow-queries", "pgbox report unused-indexes", "pgbox report missing-fk-indexes",
            "pgbox report table-sizes", "pgbox report bloat", "pgbox report locks", "pgbox report activity", "pgbox report cache",
            "pgbox report vacuum", "pgbox top", "pgbox doctor",
            // migrate new and schema new-table only write files in the project folder; lint only reads
            "pgbox migrate", "pgbox migrate new", "pgbox migrate status", "pgbox schema", "pgbox schema lint", "pgbox schema new-table",
            "pgbox partition", "pgbox partition list", "pgbox jobs", "pgbox jobs list", "pgbox jobs history",
            // memories are the app's data, written as the app's login role like any client's rows
            "pgbox memory", "pgbox memory list", "pgbox memory add", "pgbox memory import", "pgbox memory get",
            "pgbox memory delete", "pgbox memory search",
            "pgbox plan", "pgbox pool", "pgbox pool status", "pgbox plugin");

    /** Commands that may make the project's state dir; the others have nothing to protect before it exists. */
    private static final Set<String> CREATORS = Set.of("pgbox start", "pgbox restart");

    private final CommandLine.IExecutionStrategy inner = new CommandLine.RunLast();

    @Override
    public int execute(ParseResult parsed) {
        ParseResult last = parsed;
        for (ParseResult r = parsed; r != null; r = r.hasSubcommand() ? r.subcommand() : null) {
            if (r.isUsageHelpRequested() || r.isVersionHelpRequested()) {
                return inner.execute(parsed);
            }
            last = r;
        }
        String name = last.commandSpec().qualifiedName();
        Predicate<ParseResult> changes = CHANGERS.get(name);
        if (changes == null || !changes.test(last)) {
            return inner.execute(parsed);
        }
        Settings settings;
        try {
            settings = ((PgboxCommand) parsed.commandSpec().userObject()).settings();
        } catch (PgboxException e) {
            return inner.execute(parsed); // the command reports the bad setting itself, before it changes anything
        }
        Layout layout = Layout.resolve(settings, null);
        if (!Files.isDirectory(layout.stateDir()) && !CREATORS.contains(name)) {
            return inner.execute(parsed); // never started: no server, backups or apps to protect
        }
        if (name.equals("pgbox stop") && ProjectLock.holder(layout).map(h -> h.pid())
                .equals(java.util.Optional.of(dev.pgbox.component.AgentProcess.running(layout).orElse(-1)))) {
            // stop must not wait behind an agent job (a drill may take many minutes): end the agent first
            dev.pgbox.component.AgentProcess.stop(layout);
        }
        ProjectLock lock;
        try {
            lock = ProjectLock.acquire(layout, name.substring("pgbox ".length()),
                    Duration.ofMillis(settings.millis(Setting.PGBOX_LOCK_TIMEOUT)), new Console(last.commandSpec().commandLine().getErr()));
        } catch (PgboxException e) {
            if (e.kind() == ErrorKind.PERMISSION && !OsUser.isRoot()) {
                // a user who may not open the lock may not change the project's files either: the command says why
                return inner.execute(parsed);
            }
            throw new CommandLine.ExecutionException(last.commandSpec().commandLine(), e.getMessage(), e);
        }
        try (lock) {
            return inner.execute(parsed);
        }
    }
}
