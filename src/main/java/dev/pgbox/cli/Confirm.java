package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;

/** Asks on the terminal before destructive work; without a terminal the user must pass --yes. */
final class Confirm {
    private Confirm() {
    }

    /**
     * True when the user typed {@code answer} at {@code prompt}. Throws a usage error naming --yes
     * when there is no terminal to ask on.
     */
    static boolean ask(String what, String prompt, String answer) {
        java.io.Console tty = System.console();
        if (tty == null) {
            throw new PgboxException(ErrorKind.USAGE, what + " needs confirmation", "there is no terminal to ask on",
                    "pass --yes to go on without asking");
        }
        String typed = tty.readLine("%s", prompt);
        return typed != null && typed.strip().equals(answer);
    }
}
