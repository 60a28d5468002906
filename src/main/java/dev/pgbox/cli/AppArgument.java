package dev.pgbox.cli;

import dev.pgbox.apps.AppName;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;

/**
 * An APP argument or option checked as a name before anything else runs: the main POSTGRES_DB
 * (validated with the settings), or a valid app name. No SQL, no server.
 */
final class AppArgument {
    private AppArgument() {
    }

    /** Returns {@code text} when it names the main database or is a valid app name, else throws a usage error. */
    static String check(Settings s, String text) {
        return text != null && text.equals(s.get(Setting.POSTGRES_DB)) ? text : new AppName(text).value();
    }
}
