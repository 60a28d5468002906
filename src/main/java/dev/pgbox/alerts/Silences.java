package dev.pgbox.alerts;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Silenced alerts, written by 'pgbox alerts silence' and read by the agent on every evaluation: a name
 * (a check id like "connections", or a full key like "dead_tuples/app/public.orders") and until when.
 *
 * @param until name to the end of its silence (ISO-8601)
 */
public record Silences(Map<String, String> until) {
    public Silences {
        until = until == null ? Map.of() : Map.copyOf(until);
    }

    public static Silences none() {
        return new Silences(Map.of());
    }

    /** When the silence over this alert ends, or null when none holds at {@code now}. */
    public Instant silencedUntil(String key, String check, Instant now) {
        Instant best = null;
        for (String name : new String[] {key, check}) {
            String u = until.get(name);
            if (u != null) {
                Instant t = Instant.parse(u);
                if (t.isAfter(now) && (best == null || t.isAfter(best))) {
                    best = t;
                }
            }
        }
        return best;
    }

    /** A copy with {@code name} silenced until {@code end}, or lifted when {@code end} is null; expired ones dropped. */
    public Silences with(String name, Instant end, Instant now) {
        Map<String, String> copy = new TreeMap<>();
        until.forEach((k, v) -> {
            if (Instant.parse(v).isAfter(now)) {
                copy.put(k, v);
            }
        });
        if (end == null) {
            copy.remove(name);
        } else {
            copy.put(name, end.toString());
        }
        return new Silences(copy);
    }
}
