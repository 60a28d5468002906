package dev.pgbox.memory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;

/**
 * A search request checked and completed with the defaults, before any SQL: every refusal that needs
 * no collection happens here, with the option to fix named. {@link #checkAgainst} adds the ones that
 * need the collection (tenancy, a vector for a collection without a model).
 *
 * @param query the stripped query text, or null
 * @param filter the metadata filter as JSON text, or null for none (also for {})
 */
record SearchPlan(SearchMode mode, String query, float[] vector, int limit, int fetchK, int rrfK, double lambda, String filter,
                  String tenant, Double maxDistance, Defaults defaults) {
    /** The most hits one search returns. */
    static final int MAX_LIMIT = 1000;
    /** The most candidates one ranking fetches (hybrid, mmr). */
    static final int MAX_FETCH_K = 10_000;
    /** The fewest candidates fetched by default: fusion and diversity need more than the hits shown. */
    static final int MIN_DEFAULT_FETCH_K = 40;

    /**
     * The settings a request falls back on.
     *
     * @param fetchK MEMORY_FETCH_K, or null for 4 x the limit, at least 40
     * @param iterativeScan relaxed_order, strict_order or off
     * @param maxChars the longest query text (MEMORY_MAX_CHARS)
     */
    record Defaults(int limit, int rrfK, double lambda, Integer fetchK, String iterativeScan, int maxChars) {
        static Defaults of(Settings s) {
            int limit = s.integer(Setting.MEMORY_SEARCH_LIMIT);
            if (limit < 1 || limit > MAX_LIMIT) {
                throw config(Setting.MEMORY_SEARCH_LIMIT, s.get(Setting.MEMORY_SEARCH_LIMIT), "a whole number of hits from 1 to " + MAX_LIMIT);
            }
            double lambda = Double.parseDouble(s.get(Setting.MEMORY_MMR_LAMBDA));
            if (lambda > 1) {
                throw config(Setting.MEMORY_MMR_LAMBDA, s.get(Setting.MEMORY_MMR_LAMBDA), "a number from 0 to 1, e.g. 0.5");
            }
            Integer fetchK = s.isSet(Setting.MEMORY_FETCH_K) ? s.integer(Setting.MEMORY_FETCH_K) : null;
            if (fetchK != null && (fetchK < 1 || fetchK > MAX_FETCH_K)) {
                throw config(Setting.MEMORY_FETCH_K, s.get(Setting.MEMORY_FETCH_K), "a whole number from 1 to " + MAX_FETCH_K + ", or empty");
            }
            return new Defaults(limit, s.integer(Setting.MEMORY_RRF_K), lambda, fetchK, s.get(Setting.MEMORY_ITERATIVE_SCAN),
                    s.integer(Setting.MEMORY_MAX_CHARS));
        }

        private static PgboxException config(Setting s, String value, String form) {
            return new PgboxException(ErrorKind.CONFIG, "invalid value '" + value + "' for " + s.name(), s.name() + " takes " + form,
                    "change " + s.name() + " in .env.dev (see 'pgbox config --explain')");
        }
    }

    /** Checks {@code r} and fills in what it leaves to the defaults. */
    static SearchPlan of(SearchRequest r, Defaults d) {
        String query = r.query() == null || r.query().isBlank() ? null : r.query().strip();
        SearchMode mode = r.mode() != null ? r.mode() : query == null && r.vector() != null ? SearchMode.VECTOR : SearchMode.HYBRID;
        boolean usesVector = mode != SearchMode.TEXT;
        if (query == null && (!usesVector || mode == SearchMode.HYBRID || r.vector() == null)) {
            throw new PgboxException(ErrorKind.USAGE, "the search query is empty",
                    mode.label() + " search " + (usesVector && mode != SearchMode.HYBRID ? "needs a text to embed or a vector"
                            : "matches the query's words"),
                    "pass what to search for, e.g. pgbox memory search APP COLLECTION \"what did we decide about backups\""
                            + (usesVector && mode != SearchMode.HYBRID ? ", or the query's embedding with --vector" : ""));
        }
        if (query != null && query.length() > d.maxChars()) {
            throw new PgboxException(ErrorKind.USAGE, "the search query is " + query.length() + " characters long",
                    "a query may be at most " + d.maxChars() + " characters (MEMORY_MAX_CHARS)", "search with a shorter text");
        }
        if (r.vector() != null && mode == SearchMode.TEXT) {
            throw unused("--vector", "vector, hybrid and mmr");
        }
        int limit = r.limit() == null ? d.limit() : r.limit();
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new PgboxException(ErrorKind.USAGE, "invalid value " + limit + " for --limit",
                    "--limit takes a whole number of hits from 1 to " + MAX_LIMIT, "e.g. --limit 10");
        }
        boolean candidates = mode == SearchMode.HYBRID || mode == SearchMode.MMR;
        if (r.fetchK() != null && !candidates) {
            throw unused("--fetch-k", "hybrid and mmr");
        }
        int fetchK;
        if (r.fetchK() != null) {
            fetchK = r.fetchK();
            if (fetchK < limit || fetchK > MAX_FETCH_K) {
                throw new PgboxException(ErrorKind.USAGE, "invalid value " + fetchK + " for --fetch-k",
                        "--fetch-k is how many candidates each ranking fetches: at least --limit (" + limit + "), at most " + MAX_FETCH_K,
                        "e.g. --fetch-k " + Math.max(limit, MIN_DEFAULT_FETCH_K) + ", or leave it out (4 x --limit, at least "
                                + MIN_DEFAULT_FETCH_K + ")");
            }
        } else {
            fetchK = Math.max(limit, d.fetchK() != null ? d.fetchK() : Math.min(MAX_FETCH_K, Math.max(4 * limit, MIN_DEFAULT_FETCH_K)));
        }
        if (r.rrfK() != null && mode != SearchMode.HYBRID) {
            throw unused("--rrf-k", "hybrid");
        }
        int rrfK = r.rrfK() == null ? d.rrfK() : r.rrfK();
        if (rrfK < 1 || rrfK > 1_000_000) {
            throw new PgboxException(ErrorKind.USAGE, "invalid value " + rrfK + " for --rrf-k",
                    "--rrf-k is reciprocal rank fusion's k (score = sum of 1 / (k + rank)): a whole number from 1 to 1000000",
                    "e.g. --rrf-k 60 (the usual choice)");
        }
        if (r.mmrLambda() != null && mode != SearchMode.MMR) {
            throw unused("--lambda", "mmr");
        }
        double lambda = r.mmrLambda() == null ? d.lambda() : r.mmrLambda();
        if (!(lambda >= 0 && lambda <= 1)) {
            throw new PgboxException(ErrorKind.USAGE, "invalid value " + lambda + " for --lambda",
                    "--lambda balances relevance (1) against diversity (0): a number from 0 to 1", "e.g. --lambda 0.5");
        }
        if (r.maxDistance() != null && !usesVector) {
            throw unused("--max-distance", "vector, hybrid and mmr");
        }
        if (r.maxDistance() != null && (r.maxDistance().isNaN() || r.maxDistance().isInfinite())) {
            throw new PgboxException(ErrorKind.USAGE, "invalid value " + r.maxDistance() + " for --max-distance",
                    "--max-distance is a finite number: the farthest distance a hit may have", "e.g. --max-distance 0.5");
        }
        if (r.tenant() != null && r.tenant().isEmpty()) {
            throw new PgboxException(ErrorKind.USAGE, "the tenant is empty", "--tenant names the tenant to search as",
                    "pass a tenant id, e.g. --tenant user-42, or leave --tenant out");
        }
        return new SearchPlan(mode, query, r.vector(), limit, fetchK, rrfK, lambda, filter(r.filter()), r.tenant(), r.maxDistance(), d);
    }

    /** The filter as JSON text: null for none or {}; a USAGE error for anything but an object. */
    static String filter(JsonNode filter) {
        if (filter == null || filter.isNull() || filter.isMissingNode()) {
            return null;
        }
        if (!filter.isObject()) {
            throw new PgboxException(ErrorKind.USAGE, "--filter must be a JSON object, e.g. {\"kind\":\"note\"}",
                    "the filter is " + kind(filter) + "; a hit's metadata must contain the filter's keys and values (JSON containment, @>)",
                    "pass an object: --filter '{\"kind\":\"note\"}' (in the API: \"filter\": {\"kind\": \"note\"})");
        }
        return filter.isEmpty() ? null : filter.toString();
    }

    /** Refusals that need the collection: a tenancy collection is always searched as one tenant. */
    void checkAgainst(Collection col) {
        if (col.tenant() && tenant == null) {
            throw new PgboxException(ErrorKind.USAGE, "collection '" + col.name() + "' keeps memories per tenant",
                    "it was created with --tenant: row-level security shows each tenant only its own memories, so a search without one finds nothing",
                    "pass the tenant to search as: --tenant TENANT");
        }
    }

    private static String kind(JsonNode n) {
        if (n.isArray()) {
            return "an array";
        }
        if (n.isTextual()) {
            return "a string";
        }
        if (n.isNumber()) {
            return "a number";
        }
        if (n.isBoolean()) {
            return "a boolean";
        }
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static PgboxException unused(String option, String modes) {
        return new PgboxException(ErrorKind.USAGE, option + " does not apply to this search mode",
                option + " is used by " + modes + " search only", "leave " + option + " out, or pass --mode with one of those modes");
    }
}
