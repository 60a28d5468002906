package dev.pgbox.schema.lint;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A table a statement names, as the parse tree gives it (a RangeVar). Without a schema it is taken to
 * be in public, where the apps' tables live, so that {@code t} and {@code public.t} are the same table.
 */
record TableRef(String schema, String name) {

    static TableRef of(JsonNode rangeVar) {
        String rel = rangeVar.path("relname").asText("");
        String schema = rangeVar.path("schemaname").asText("");
        return new TableRef(schema.isEmpty() ? "public" : schema, rel);
    }

    /** How the catalog query and the scripts' bookkeeping compare names (the parser already folded unquoted identifiers to lower case). */
    String key() {
        return schema + "." + name;
    }

    /** As messages show it: without the public schema. */
    String shown() {
        return schema.equals("public") ? name : schema + "." + name;
    }
}
