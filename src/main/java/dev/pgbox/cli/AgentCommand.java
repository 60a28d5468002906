package dev.pgbox.cli;

import dev.pgbox.agent.Agent;
import dev.pgbox.component.AgentProcess;
import dev.pgbox.agent.Job;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Settings;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"The long-running pgbox process: scheduled dumps (BACKUP_SCHEDULE, with BACKUP_DUMP_RETENTION),",
                "physical backups (BACKUP_PHYSICAL_SCHEDULE) and restore drills (VERIFY_SCHEDULE); metrics every",
                "PGBOX_METRICS_INTERVAL served on 127.0.0.1:PGBOX_METRICS_PORT/metrics; the doctor every PGBOX_DOCTOR_INTERVAL",
                "for alerts (pgbox alerts). 'pgbox start' starts it in the background and 'pgbox stop' stops it; run it by",
                "hand in the foreground, or --jobs to see the plan."})
final class AgentCommand extends BaseCommand implements Callable<Integer> {
    @Option(names = "--jobs", description = "Print the scheduled jobs and their next runs, then exit.")
    boolean jobs;

    @Option(names = "--settings", paramLabel = "FILE", description = {"Read the settings from this snapshot only (written by",
            "'pgbox start' for the agent, which runs as the server's OS user and may not reach the project's .env files)."})
    java.nio.file.Path snapshot;

    @Override
    public Integer call() throws Exception {
        Settings s = snapshot != null ? Settings.loadSnapshot(root().projectDir(), root().envName(), snapshot) : settings();
        Agent agent = new Agent(s, System.out);
        if (jobs) {
            List<Job> list = agent.jobs();
            ZonedDateTime now = ZonedDateTime.now();
            out().println(Tables.aligned(List.of("job", "schedule", "next run"),
                    list.stream().map(j -> List.of(j.name(), j.schedule().toString(), j.schedule().next(now).toString())).toList()));
            return 0;
        }
        agent.run(AgentProcess.pidFile(Server.open(s).layout()));
        return 0;
    }
}
