package dev.pgbox.component;

import java.util.List;
import java.util.Map;

/**
 * A small YAML writer for the configuration files pgbox renders for Patroni and etcd: block maps and
 * lists, every string single-quoted (so no value is ever read as a number, a boolean, a comment or a
 * nested structure), numbers and booleans plain. Values with line breaks are refused.
 */
final class Yaml {
    private Yaml() {
    }

    /** The YAML text of a map (insertion order kept) whose values are strings, numbers, booleans, maps or lists. */
    static String render(Map<String, ?> root) {
        StringBuilder b = new StringBuilder();
        map(b, root, 0);
        return b.toString();
    }

    private static void map(StringBuilder b, Map<String, ?> m, int indent) {
        for (Map.Entry<String, ?> e : m.entrySet()) {
            b.append(" ".repeat(indent)).append(key(e.getKey())).append(':');
            value(b, e.getValue(), indent);
        }
    }

    private static void value(StringBuilder b, Object v, int indent) {
        if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                b.append(" {}\n");
                return;
            }
            b.append('\n');
            @SuppressWarnings("unchecked")
            Map<String, ?> typed = (Map<String, ?>) m;
            map(b, typed, indent + 2);
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                b.append(" []\n");
                return;
            }
            b.append('\n');
            for (Object item : l) {
                if (item instanceof Map<?, ?> || item instanceof List<?>) {
                    throw new IllegalArgumentException("nested structures in a list are not written");
                }
                b.append(" ".repeat(indent + 2)).append("- ").append(scalar(item)).append('\n');
            }
        } else {
            b.append(' ').append(scalar(v)).append('\n');
        }
    }

    static String scalar(Object v) {
        if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            return v.toString();
        }
        String s = String.valueOf(v);
        if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a YAML value with a line break");
        }
        return "'" + s.replace("'", "''") + "'";
    }

    private static String key(String k) {
        if (!k.matches("[A-Za-z0-9_.\\-]+")) {
            return scalar(k);
        }
        return k;
    }
}
