package dev.pgbox.pool;

import static dev.pgbox.sql.SqlText.ident;
import static dev.pgbox.sql.SqlText.literal;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.HbaFile;
import dev.pgbox.sql.AdminSql;
import java.util.ArrayList;
import java.util.List;

/**
 * The server side of PgBouncer's logins. PgBouncer keeps no passwords: for each client it runs
 * {@link #AUTH_QUERY} as the role {@link #ROLE} (which logs in over the Unix socket by peer, mapped from
 * the OS user, and can do nothing else) and gets the client's SCRAM verifier, checks the client's proof
 * with it, and logs in to the server with the keys the proof reveals (SCRAM pass-through).
 * <p>
 * The lookup is a SECURITY DEFINER function owned by the superuser in a schema of its own in every pooled
 * database ({@link #SCHEMA}: an app's owner owns its database and its {@code pgbox} schema, and could replace
 * a function there with one that hands out verifiers of its choice). It returns nothing for superusers,
 * replication roles, roles that cannot log in or whose password expired, roles without a SCRAM verifier and
 * pgbox's own roles ({@code pgbox_*}), so none of those can log in through PgBouncer.
 */
public final class PoolerAuth {
    /** The role PgBouncer runs its lookups as. */
    public static final String ROLE = HbaFile.POOLER_ROLE;
    /** The superuser's schema for the lookup in every pooled database. */
    public static final String SCHEMA = "pgbox_pool";
    /** The lookup function, schema-qualified. */
    public static final String FUNCTION = SCHEMA + ".lookup";
    /** What PgBouncer runs for each login (auth_query). */
    public static final String AUTH_QUERY = "SELECT usename, passwd FROM " + FUNCTION + "($1)";

    private PoolerAuth() {
    }

    /** The role: LOGIN (by peer over the socket only), no password, no privilege beyond CONNECT and the lookup. */
    static String roleSql() {
        return """
                SELECT 'CREATE ROLE %1$s' WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = %2$s)
                \\gexec
                ALTER ROLE %1$s WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS PASSWORD NULL;
                COMMENT ON ROLE %1$s IS 'pgbox: PgBouncer looks up app logins as this role (peer over the Unix socket only)';
                """.formatted(ident(ROLE), literal(ROLE));
    }

    /** CONNECT on each pooled database (they grant none to PUBLIC). */
    static String connectSql(List<String> databases) {
        StringBuilder b = new StringBuilder();
        for (String db : databases) {
            b.append("GRANT CONNECT ON DATABASE ").append(ident(db)).append(" TO ").append(ident(ROLE)).append(";\n");
        }
        return b.toString();
    }

    /**
     * The schema and lookup function in one database, idempotent. A schema of that name someone else owns is
     * refused: its owner could put a function of its own in front of pgbox's.
     */
    static String lookupSql() {
        String su = ident(AdminSql.SUPERUSER);
        String role = ident(ROLE);
        return """
                DO $pgbox$ BEGIN
                  IF EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = %6$s AND nspowner <> %7$s::regrole) THEN
                    RAISE EXCEPTION 'schema %% is not owned by the superuser', %6$s;
                  END IF;
                END $pgbox$;
                CREATE SCHEMA IF NOT EXISTS %1$s AUTHORIZATION %2$s;
                REVOKE ALL ON SCHEMA %1$s FROM PUBLIC;
                GRANT USAGE ON SCHEMA %1$s TO %3$s;
                CREATE OR REPLACE FUNCTION %4$s(p_user text, OUT usename name, OUT passwd text) RETURNS SETOF record
                LANGUAGE sql STABLE STRICT SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $pgbox$
                  SELECT a.rolname, a.rolpassword FROM pg_catalog.pg_authid a
                   WHERE a.rolname = p_user
                     AND a.rolcanlogin AND NOT a.rolsuper AND NOT a.rolreplication
                     AND (a.rolvaliduntil IS NULL OR a.rolvaliduntil > pg_catalog.now())
                     AND a.rolpassword LIKE 'SCRAM-SHA-256$%%'
                     AND pg_catalog.left(a.rolname, 6) <> 'pgbox_'
                     AND a.rolname NOT IN (%5$s, %8$s, %9$s)
                $pgbox$;
                ALTER FUNCTION %4$s(text) OWNER TO %2$s;
                REVOKE ALL ON FUNCTION %4$s(text) FROM PUBLIC;
                GRANT EXECUTE ON FUNCTION %4$s(text) TO %3$s;
                COMMENT ON FUNCTION %4$s(text) IS 'pgbox: PgBouncer''s auth_query: the SCRAM verifier of an app login role; nothing for superusers, replication, NOLOGIN, expired or pgbox roles';
                """.formatted(ident(SCHEMA), su, role, FUNCTION, literal(AdminSql.SUPERUSER), literal(SCHEMA), literal(AdminSql.SUPERUSER),
                literal(ROLE), literal(HbaFile.REPLICATION_ROLE));
    }

    /**
     * Makes the role, its CONNECT grants and the lookup in every database; returns what changed, in words
     * (nothing on a second run).
     */
    public static List<String> ensure(AdminSql admin, List<String> databases) {
        List<String> done = new ArrayList<>();
        boolean hadRole = "t".equals(admin.value("postgres", "SELECT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = $1)", ROLE));
        admin.run("postgres", roleSql() + connectSql(databases));
        if (!hadRole) {
            done.add("created the role " + ROLE + " (PgBouncer's lookups; peer over the Unix socket only)");
        }
        List<String> added = new ArrayList<>();
        for (String db : databases) {
            boolean had = "t".equals(admin.value(db, "SELECT pg_catalog.to_regprocedure($1) IS NOT NULL", FUNCTION + "(text)"));
            try {
                admin.run(db, lookupSql());
            } catch (PgboxException e) {
                if (e.reason() != null && e.reason().contains("is not owned by the superuser")) {
                    throw new PgboxException(ErrorKind.CONFIG, "cannot set up PgBouncer's login lookup in database " + db,
                            "its schema " + SCHEMA + " exists and is not the superuser's: its owner could hand PgBouncer passwords of its choice",
                            "drop or rename that schema in " + db + " (it is pgbox's name), then run 'pgbox start' again");
                }
                throw e;
            }
            if (!had) {
                added.add(db);
            }
        }
        if (!added.isEmpty()) {
            done.add("installed PgBouncer's login lookup " + FUNCTION + " in " + String.join(", ", added));
        }
        return done;
    }
}
