package dev.pgbox.apps;

import static dev.pgbox.sql.SqlText.ident;
import static dev.pgbox.sql.SqlText.literal;

/**
 * The SQL behind 'pgbox app'. Pure text, run by the superuser through psql; every statement is
 * idempotent. Names arrive validated ({@link AppName}) and are quoted as identifiers anyway.
 */
final class AppSql {
    private AppSql() {
    }

    private static String createRole(String role, String attributes) {
        return "SELECT format('CREATE ROLE %I " + attributes + "', " + literal(role) + ") WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
                + literal(role) + ")\\gexec\n";
    }

    /**
     * Roles, database, marker and database-level privileges; runs in database postgres.
     *
     * @param verifier the login role's SCRAM verifier, or null to keep its password
     */
    static String rolesAndDatabase(AppName app, String verifier) {
        String owner = ident(app.ownerRole());
        String login = ident(app.loginRole());
        String readonly = ident(app.readonlyRole());
        String db = ident(app.value());
        StringBuilder sb = new StringBuilder();
        sb.append(createRole(app.ownerRole(), "NOLOGIN"))
                .append(createRole(app.readonlyRole(), "NOLOGIN"))
                .append(createRole(app.loginRole(), "LOGIN"))
                .append("ALTER ROLE ").append(owner).append(" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;\n")
                .append("ALTER ROLE ").append(readonly).append(" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;\n")
                // NOINHERIT: the app runs with data privileges only; migrations SET ROLE to the owner explicitly
                .append("ALTER ROLE ").append(login).append(" LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS")
                .append(verifier == null ? "" : " PASSWORD " + literal(verifier)).append(";\n")
                .append("GRANT ").append(owner).append(" TO ").append(login).append(";\n")
                .append("SELECT format('CREATE DATABASE %I OWNER %I TEMPLATE template1', ").append(literal(app.value())).append(", ")
                .append(literal(app.ownerRole())).append(") WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ")
                .append(literal(app.value())).append(")\\gexec\n")
                .append("ALTER DATABASE ").append(db).append(" OWNER TO ").append(owner).append(";\n")
                .append("COMMENT ON DATABASE ").append(db).append(" IS ").append(literal(Apps.MARKER)).append(";\n")
                .append("REVOKE ALL ON DATABASE ").append(db).append(" FROM PUBLIC;\n")
                .append("GRANT CONNECT, TEMPORARY ON DATABASE ").append(db).append(" TO ").append(login).append(", ").append(readonly).append(";\n");
        return sb.toString();
    }

    /** Schema privileges and default privileges; runs inside the app's database. */
    static String insideDatabase(AppName app) {
        String owner = ident(app.ownerRole());
        String login = ident(app.loginRole());
        String readonly = ident(app.readonlyRole());
        return "ALTER SCHEMA public OWNER TO " + owner + ";\n"
                + "REVOKE CREATE ON SCHEMA public FROM PUBLIC;\n"
                + "GRANT USAGE ON SCHEMA public TO " + login + ", " + readonly + ";\n"
                + "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + login + ";\n"
                + "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO " + login + ";\n"
                + "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + readonly + ";\n"
                + "GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO " + readonly + ";\n"
                + "ALTER DEFAULT PRIVILEGES FOR ROLE " + owner + " IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + login + ";\n"
                + "ALTER DEFAULT PRIVILEGES FOR ROLE " + owner + " IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO " + login + ";\n"
                + "ALTER DEFAULT PRIVILEGES FOR ROLE " + owner + " IN SCHEMA public GRANT SELECT ON TABLES TO " + readonly + ";\n"
                + "ALTER DEFAULT PRIVILEGES FOR ROLE " + owner + " IN SCHEMA public GRANT SELECT ON SEQUENCES TO " + readonly + ";\n"
                + "GRANT USAGE, CREATE ON SCHEMA partman TO " + owner + ";\n"
                + "GRANT ALL ON ALL TABLES IN SCHEMA partman TO " + owner + ";\n"
                + "GRANT ALL ON ALL SEQUENCES IN SCHEMA partman TO " + owner + ";\n"
                + "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA partman TO " + owner + ";\n"
                + "GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA partman TO " + owner + ";\n";
    }

    /** Per-role limits of the login role; runs in database postgres. */
    static String limits(AppName app, Apps.Limits l, String marker) {
        String login = ident(app.loginRole());
        StringBuilder sb = new StringBuilder();
        if (l.connectionLimit() != null) {
            sb.append("ALTER ROLE ").append(login).append(" CONNECTION LIMIT ").append(l.connectionLimit()).append(";\n");
        }
        if (l.statementTimeout() != null) {
            sb.append("ALTER ROLE ").append(login).append(" SET statement_timeout = ").append(literal(l.statementTimeout())).append(";\n");
        }
        if (l.idleInTransactionTimeout() != null) {
            sb.append("ALTER ROLE ").append(login).append(" SET idle_in_transaction_session_timeout = ")
                    .append(literal(l.idleInTransactionTimeout())).append(";\n");
        }
        if (marker != null) {
            sb.append("COMMENT ON ROLE ").append(login).append(" IS ").append(literal(marker)).append(";\n");
        }
        return sb.toString();
    }

    /** Login roles of pgbox apps whose connection limit follows the plan ($1: the marker comment): name, rolconnlimit. */
    static final String PLANNED_LIMITS = """
            SELECT r.rolname, r.rolconnlimit FROM pg_roles r JOIN pg_database d ON d.datname = r.rolname
            WHERE shobj_description(d.oid, 'pg_database') = 'pgbox app' AND shobj_description(r.oid, 'pg_authid') = $1
            ORDER BY r.rolname
            """;

    /** Ends sessions (with force), drops the database and the three roles; runs in database postgres. */
    static String drop(AppName app, boolean force) {
        StringBuilder sb = new StringBuilder();
        if (force) {
            sb.append("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ").append(literal(app.value()))
                    .append(" AND pid <> pg_backend_pid();\n");
        }
        sb.append("DROP DATABASE IF EXISTS ").append(ident(app.value())).append(force ? " WITH (FORCE)" : "").append(";\n");
        for (String role : new String[] {app.loginRole(), app.readonlyRole(), app.ownerRole()}) {
            sb.append("DROP ROLE IF EXISTS ").append(ident(role)).append(";\n");
        }
        return sb.toString();
    }

    /** name, bytes, connections now, connection limit, statement_timeout, idle_in_transaction_session_timeout. */
    static final String LIST = """
            SELECT d.datname, pg_database_size(d.oid),
                   (SELECT count(*) FROM pg_stat_activity a WHERE a.datname = d.datname),
                   coalesce(r.rolconnlimit, -1),
                   coalesce((SELECT substring(c FROM 'statement_timeout=(.*)') FROM pg_db_role_setting s, unnest(s.setconfig) c
                             WHERE s.setrole = r.oid AND s.setdatabase = 0 AND c LIKE 'statement_timeout=%'), ''),
                   coalesce((SELECT substring(c FROM 'idle_in_transaction_session_timeout=(.*)') FROM pg_db_role_setting s, unnest(s.setconfig) c
                             WHERE s.setrole = r.oid AND s.setdatabase = 0 AND c LIKE 'idle_in_transaction_session_timeout=%'), '')
            FROM pg_database d LEFT JOIN pg_roles r ON r.rolname = d.datname
            WHERE shobj_description(d.oid, 'pg_database') = 'pgbox app'
            ORDER BY d.datname
            """;
}
