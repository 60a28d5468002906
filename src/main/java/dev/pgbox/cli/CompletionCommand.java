package dev.pgbox.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a shell completion script for every pgbox command and option, generated from the commands",
                "themselves. Load it with: source <(pgbox completion bash), or save it as",
                "/etc/bash_completion.d/pgbox. zsh reads the same script after: autoload -U +X bashcompinit && bashcompinit"})
final class CompletionCommand extends BaseCommand implements Callable<Integer> {
    /** The shells a script can be printed for. */
    enum Shell { bash }

    @Parameters(paramLabel = "SHELL", description = "The shell: ${COMPLETION-CANDIDATES}.")
    Shell shell;

    @Override
    public Integer call() {
        out().print(AutoComplete.bash("pgbox", spec.root().commandLine()));
        out().flush();
        return 0;
    }
}
