package dev.pgbox.cli;

import dev.pgbox.config.Settings;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The root command; its options are inherited by every subcommand. */
@Command(name = "pgbox", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        description = "Run your own production-grade PostgreSQL: tuned, locked down, with every AI-ready extension.",
        subcommands = {InitCommand.class, InstallCommand.class, StartCommand.class, StopCommand.class, RestartCommand.class,
                StatusCommand.class, ConfigCommand.class, TuneCommand.class, DbCommand.class, AppCommand.class,
                RlsCommand.class, SecurityCommand.class, HaCommand.class, AgentCommand.class, DoctorCommand.class, AlertsCommand.class, ReportCommand.class,
                TopCommand.class, MigrateCommand.class, SchemaCommand.class, PartitionCommand.class, JobsCommand.class, MemoryCommand.class,
                PlanCommand.class, PoolCommand.class, PluginCommand.class,
                CompletionCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:unexpected failure", "2:usage error", "3:invalid setting or .env file",
                "4:server not running", "5:port in use", "6:packages missing", "7:permission/owner/OS user",
                "8:SQL error", "9:external tool failed", "10:timeout", "11:audit/test findings"})
public final class PgboxCommand implements Runnable {
    @Option(names = {"-C", "--project"}, scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Project folder holding .env.dev (default: the current folder).")
    Path project;

    @Option(names = "--env", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "Environment to layer over .env.dev: dev or prod (default: PGBOX_ENV or dev).")
    String env;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Show stack traces on errors.")
    boolean verbose;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public boolean verbose() {
        return verbose;
    }

    /** How parsed commands run: those that change the project under the project lock (see {@link ProjectLocking}). */
    public static picocli.CommandLine.IExecutionStrategy executionStrategy() {
        return new ProjectLocking();
    }

    /** Loads and validates the project's settings (once per command). */
    Settings settings() {
        return Settings.load(projectDir(), env, System.getenv());
    }

    Path projectDir() {
        Path dir = project != null ? project : Path.of("").toAbsolutePath();
        return dir.toAbsolutePath().normalize();
    }

    String envName() {
        return env != null ? env : System.getenv().getOrDefault("PGBOX_ENV", "dev");
    }
}
