package dev.pgbox.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Command descriptions are written as several source lines for readability; picocli would print
 * each as its own line and wrap it again, leaving ragged half-lines. This joins them into
 * paragraphs that picocli wraps to the terminal, keeping a break where the text asks for one: after
 * a line ending in ':' and around an indented line (examples, lists).
 */
public final class HelpText {
    private HelpText() {
    }

    /** Reflows the descriptions of {@code cli} and every subcommand below it. */
    public static void reflow(CommandLine cli) {
        CommandLine.Model.UsageMessageSpec usage = cli.getCommandSpec().usageMessage();
        usage.description(paragraphs(usage.description()));
        cli.getSubcommands().values().forEach(HelpText::reflow);
    }

    static String[] paragraphs(String[] lines) {
        List<String> out = new ArrayList<>();
        StringBuilder current = null;
        for (String line : lines) {
            boolean breakBefore = current == null || line.startsWith(" ") || line.isEmpty()
                    || current.toString().endsWith(":") || current.toString().startsWith(" ");
            if (breakBefore) {
                if (current != null) {
                    out.add(current.toString());
                }
                current = new StringBuilder(line);
            } else {
                current.append(' ').append(line.strip());
            }
        }
        if (current != null) {
            out.add(current.toString());
        }
        return out.toArray(new String[0]);
    }
}
