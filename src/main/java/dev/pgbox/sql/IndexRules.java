package dev.pgbox.sql;

/**
 * The catalogue rules the doctor and the reports share, as SQL predicates over the aliases the caller
 * names, so a finding and a report line can never disagree about the same index or key.
 */
public final class IndexRules {
    private IndexRules() {
    }

    /** Relation {@code relid} is not an extension's own (pg_partman's, pg_cron's tables are not the user's to change). */
    public static String notExtension(String relid) {
        return "NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = " + relid
                + " AND d.deptype = 'e')";
    }

    /** Index row {@code i} (pg_index) backs no key or constraint: an unused one may be dropped. */
    public static String backsNothing(String i) {
        return "NOT " + i + ".indisprimary AND NOT " + i + ".indisunique AND NOT " + i + ".indisexclusion"
                + " AND NOT EXISTS (SELECT FROM pg_constraint kc WHERE kc.conindid = " + i + ".indexrelid)";
    }

    /**
     * Foreign key row {@code k} (pg_constraint) has no valid, non-partial index whose leading key columns
     * are exactly its columns, in any order: compared by column number (pg_index.indkey, 1-based here,
     * against conkey), never by text.
     */
    public static String fkWithoutIndex(String k) {
        String lead = "(string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(" + k + ".conkey)]";
        return "NOT EXISTS (SELECT FROM pg_index i WHERE i.indrelid = " + k + ".conrelid AND i.indisvalid AND i.indpred IS NULL"
                + " AND i.indnkeyatts >= cardinality(" + k + ".conkey) AND " + lead + " @> " + k + ".conkey AND " + lead + " <@ "
                + k + ".conkey)";
    }
}
