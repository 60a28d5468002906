package dev.pgbox;

import java.util.regex.Pattern;

/**
 * Text from the server shown on a terminal. Query texts and names come from any client of the server,
 * so they may hold control characters: ESC starts terminal commands (move the cursor, rewrite the
 * screen, set the window title), CR and backspace overwrite what is shown. Those become '?'; tabs and
 * line breaks stay.
 */
public final class SafeText {
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]");

    private SafeText() {
    }

    public static String printable(String text) {
        return text == null ? null : CONTROL.matcher(text).replaceAll("?");
    }
}
