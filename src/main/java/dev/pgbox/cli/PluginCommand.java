package dev.pgbox.cli;

import dev.pgbox.service.PoolService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** pgbox plugin install NAME: adds a part to the server; pgbouncer is the one there is. */
@Command(name = "plugin", mixinStandardHelpOptions = true, description = "Add a part to the server: pgbox plugin install pgbouncer.",
        subcommands = {PluginCommand.Install.class})
final class PluginCommand extends BaseCommand implements Runnable {

    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Install and turn on a plugin: pgbouncer (the same as 'pgbox pool enable', installing the package when missing).")
    static final class Install extends BaseCommand implements Callable<Integer> {
        @Parameters(paramLabel = "PLUGIN", description = "pgbouncer")
        String plugin;

        @Override
        public Integer call() {
            PoolCommand.printChange(PoolService.installPlugin(settings(), plugin, console()), out());
            return 0;
        }
    }
}
