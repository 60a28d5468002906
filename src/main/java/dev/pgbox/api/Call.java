package dev.pgbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.util.Map;

/**
 * One matched call: the path's parameters ({app}, {collection}, {id}), the query string's and the
 * JSON body (parsed only when a route reads it).
 */
record Call(Map<String, String> path, Map<String, String> query, Body body) {
    String path(String name) {
        return path.get(name);
    }

    /** A query parameter, or null. */
    String query(String name) {
        return query.get(name);
    }

    /** A true/false query parameter (absent: false). */
    boolean flag(String name) {
        String v = query.get(name);
        if (v == null || v.equals("false")) {
            return false;
        }
        if (v.equals("true") || v.isEmpty()) {
            return true;
        }
        throw new PgboxException(ErrorKind.USAGE, "query parameter " + name + "=" + v + " is neither true nor false",
                "it is a yes/no switch", "pass " + name + "=true or leave it out");
    }

    /** The request's JSON. */
    JsonNode json() {
        return body.json();
    }
}
