package dev.pgbox.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** pgbox plan: one RAM budget for the box. SKELETON: the planner helper fills it in. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"One RAM budget for this box: the OS and other services, shared buffers, every connection's worst case,",
                "the pooler, maintenance and HNSW builds, and the agent. Warns when the worst case exceeds RAM."})
final class PlanCommand extends BaseCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public Integer call() {
        out().println("not built yet");
        return 0;
    }
}
