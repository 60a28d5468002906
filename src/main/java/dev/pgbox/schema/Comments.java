package dev.pgbox.schema;

import java.util.ArrayList;
import java.util.List;

/** The comments in front of a statement: '--' to the end of the line and (nested) block comments. */
final class Comments {
    private Comments() {
    }

    /** Index of the first character that is neither blank nor inside a comment. */
    static int skipLeading(String s) {
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (s.startsWith("--", i)) {
                int nl = s.indexOf('\n', i);
                i = nl < 0 ? s.length() : nl + 1;
            } else if (s.startsWith("/*", i)) {
                i = blockEnd(s, i);
            } else {
                break;
            }
        }
        return i;
    }

    /** The text of each comment in {@code s} (which holds only blanks and comments), markers removed, stripped. */
    static List<String> in(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("--", i)) {
                int nl = s.indexOf('\n', i);
                int end = nl < 0 ? s.length() : nl;
                out.add(s.substring(i + 2, end).strip());
                i = end;
            } else if (s.startsWith("/*", i)) {
                int end = blockEnd(s, i);
                out.add(s.substring(i + 2, Math.max(i + 2, end - 2)).strip());
                i = end;
            } else {
                i++;
            }
        }
        return out;
    }

    private static int blockEnd(String s, int start) {
        int depth = 0;
        int i = start;
        while (i < s.length()) {
            if (s.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (s.startsWith("*/", i)) {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return s.length();
    }
}
