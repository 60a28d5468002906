package dev.pgbox.schema.lint;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Small readers over libpg_query's JSON parse tree. */
final class Trees {
    private Trees() {
    }

    /** The String values of a list of {@code {"String": {"sval": ...}}} nodes, e.g. a qualified name. */
    static List<String> strings(JsonNode list) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : list) {
            JsonNode s = n.path("String");
            if (s.isObject()) {
                out.add(s.path("sval").asText(""));
            }
        }
        return out;
    }

    /** A TypeName's own name without pg_catalog: int4, int8, varchar, bpchar, timestamp, serial, text, ... */
    static String typeName(JsonNode typeName) {
        List<String> names = strings(typeName.path("names"));
        return names.isEmpty() ? "" : names.get(names.size() - 1).toLowerCase(Locale.ROOT);
    }

    /** True when a TypeName carries a length or precision, e.g. varchar(20). */
    static boolean hasTypmods(JsonNode typeName) {
        return typeName.path("typmods").size() > 0;
    }

    /** The Constraint nodes of a ColumnDef. */
    static List<JsonNode> constraints(JsonNode columnDef) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode c : columnDef.path("constraints")) {
            out.add(c.path("Constraint"));
        }
        return out;
    }

    static boolean hasConstraint(JsonNode columnDef, String contype) {
        return constraints(columnDef).stream().anyMatch(c -> c.path("contype").asText().equals(contype));
    }

    /** A DefElem list (VACUUM options, REINDEX params) names {@code option}. */
    static boolean hasOption(JsonNode defElems, String option) {
        for (JsonNode d : defElems) {
            if (d.path("DefElem").path("defname").asText("").equalsIgnoreCase(option)) {
                JsonNode arg = d.path("DefElem").path("arg");
                // VACUUM (FULL false) names the option but turns it off
                return !(arg.has("Boolean") && !arg.path("Boolean").path("boolval").asBoolean(false))
                        && !arg.path("String").path("sval").asText("").equalsIgnoreCase("false");
            }
        }
        return false;
    }
}
