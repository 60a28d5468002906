package dev.pgbox.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One route: an HTTP method and a path pattern whose {name} segments match any one segment, e.g.
 * {@code /v1/apps/{app}/collections/{collection}}.
 */
record Route(String method, String pattern, int status, Handler handler) {
    /** The work of a route: returns the model rendered as the JSON answer. */
    interface Handler {
        Object handle(Call call);
    }

    List<String> segments() {
        return split(pattern);
    }

    /** The path's parameters when {@code segments} fits the pattern, else null. */
    Map<String, String> match(List<String> segments) {
        List<String> mine = segments();
        if (mine.size() != segments.size()) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < mine.size(); i++) {
            String p = mine.get(i);
            if (p.startsWith("{") && p.endsWith("}")) {
                if (segments.get(i).isEmpty()) {
                    return null;
                }
                params.put(p.substring(1, p.length() - 1), segments.get(i));
            } else if (!p.equals(segments.get(i))) {
                return null;
            }
        }
        return params;
    }

    /** "/a/b/" as [a, b, ""]: a trailing slash is its own (empty) segment, so it matches no route. */
    static List<String> split(String path) {
        List<String> out = new ArrayList<>(List.of(path.split("/", -1)));
        if (!out.isEmpty() && out.get(0).isEmpty()) {
            out.remove(0);
        }
        return out;
    }
}
