package dev.pgbox.cluster;

import static dev.pgbox.sql.SqlText.ident;
import static dev.pgbox.sql.SqlText.literal;

import dev.pgbox.config.Scram;
import dev.pgbox.sql.AdminSql;
import java.util.List;

/**
 * The SQL that turns a fresh cluster into a pgbox server: extensions in template1 (so every new
 * database has them), the application role and database, pg_cron in the application database, and
 * the grants the role needs for pg_partman and pg_cron. Every statement is idempotent; it runs at
 * init and again at each start.
 */
public final class Bootstrap {
    /** Extensions created in template1 and every application database; pg_partman lives in schema partman. */
    public static final List<String> TEMPLATE_EXTENSIONS = List.of("vector", "pg_partman", "uuid-ossp", "pgcrypto",
            "pg_trgm", "btree_gin", "pg_stat_statements", "ltree");
    /** pg_cron exists only in cron.database_name. */
    public static final String CRON = "pg_cron";

    private Bootstrap() {
    }

    /** Extensions and helpers for template1 or any application database. */
    public static String extensionsSql() {
        StringBuilder sb = new StringBuilder("CREATE SCHEMA IF NOT EXISTS partman;\n");
        for (String e : TEMPLATE_EXTENSIONS) {
            sb.append("CREATE EXTENSION IF NOT EXISTS ").append(ident(e))
                    .append(e.equals("pg_partman") ? " SCHEMA partman" : "").append(";\n");
        }
        sb.append("""
                CREATE OR REPLACE FUNCTION public.np_set_updated_at() RETURNS trigger
                LANGUAGE plpgsql AS $fn$
                BEGIN
                  NEW.updated_at := now();
                  RETURN NEW;
                END
                $fn$;
                COMMENT ON FUNCTION public.np_set_updated_at() IS 'pgbox: BEFORE UPDATE trigger that sets updated_at (np_ convention)';
                """);
        return sb.toString();
    }

    /** Role (with a SCRAM verifier, never the plain password) and database; runs in database postgres. */
    public static String roleAndDatabaseSql(String role, String database, String password) {
        String r = ident(role);
        return """
                SELECT format('CREATE ROLE %%I', %1$s) WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = %1$s)\\gexec
                ALTER ROLE %2$s WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %3$s;
                SELECT format('CREATE DATABASE %%I OWNER %%I TEMPLATE template1', %4$s, %1$s)
                  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = %4$s)\\gexec
                ALTER DATABASE %5$s OWNER TO %2$s;
                REVOKE CONNECT, TEMPORARY ON DATABASE %5$s FROM PUBLIC;
                REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC;
                REVOKE CONNECT, TEMPORARY ON DATABASE template1 FROM PUBLIC;
                GRANT CONNECT, TEMPORARY ON DATABASE %5$s TO %2$s;
                """.formatted(literal(role), r, literal(Scram.verifier(password)), literal(database), ident(database));
    }

    /** Runs in the application database: extensions (for databases made before pgbox), pg_cron, grants. */
    public static String appDatabaseSql(String role) {
        String r = ident(role);
        return extensionsSql() + """
                CREATE EXTENSION IF NOT EXISTS pg_cron;
                GRANT USAGE ON SCHEMA cron TO %1$s;
                GRANT USAGE, CREATE ON SCHEMA partman TO %1$s;
                GRANT ALL ON ALL TABLES IN SCHEMA partman TO %1$s;
                GRANT ALL ON ALL SEQUENCES IN SCHEMA partman TO %1$s;
                GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA partman TO %1$s;
                GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA partman TO %1$s;
                """.formatted(r);
    }

    /** Runs every step against a running server. */
    public static void apply(AdminSql sql, String role, String database, String password) {
        sql.run("template1", extensionsSql());
        sql.run("postgres", roleAndDatabaseSql(role, database, password));
        sql.run(database, appDatabaseSql(role));
    }
}
