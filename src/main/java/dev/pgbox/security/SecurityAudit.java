package dev.pgbox.security;

import dev.pgbox.apps.Apps;
import dev.pgbox.cluster.Server;
import dev.pgbox.sql.AdminSql;
import dev.pgbox.config.Secrets;
import dev.pgbox.config.Settings;
import dev.pgbox.security.Finding.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's security posture in one list of findings, each with its severity and fix: where it
 * listens, pg_hba methods, role attributes, PUBLIC privileges, TLS, password hashing, roles without
 * passwords, extensions in writable schemas and the secrets file's mode.
 */
public final class SecurityAudit {
    private SecurityAudit() {
    }

    /** Audits the project's running server: the server-wide checks and those of the main database and every app. */
    public static SecurityReport audit(Server server) {
        server.requireRunning("audit");
        return SecurityReport.of(run(server.admin(), server.settings(), new Apps(server).allDatabases()));
    }

    /** Every finding on the server {@code sql} reaches, for these databases, most severe first. */
    public static List<Finding> run(AdminSql sql, Settings settings, List<String> databases) {
        List<Finding> out = new ArrayList<>();
        listen(sql, settings, out);
        hba(sql, out);
        serverSettings(sql, out);
        roles(sql, out);
        for (String db : databases) {
            database(sql, db, out);
        }
        secretsFile(settings.projectDir().resolve(Settings.SECRETS_FILE), out);
        out.sort(java.util.Comparator.comparing(Finding::severity));
        return out;
    }

    private static void listen(AdminSql sql, Settings settings, List<Finding> out) {
        String listen = sql.value("postgres", "SHOW listen_addresses");
        for (String a : listen.split(",")) {
            String addr = a.strip();
            if (addr.isEmpty() || addr.equals("localhost") || addr.startsWith("127.") || addr.equals("::1")) {
                continue;
            }
            boolean wildcard = addr.equals("*") || addr.equals("0.0.0.0") || addr.equals("::");
            out.add(new Finding(wildcard ? Severity.MEDIUM : Severity.INFO, "listen", "listen_addresses",
                    "listens on " + addr + (wildcard ? " (every interface)" : "") + "; pg_hba decides who may log in from there",
                    "keep POSTGRES_ALLOWED_CIDRS as narrow as possible, or remove POSTGRES_LISTEN"));
        }
    }

    private static void hba(AdminSql sql, List<Finding> out) {
        for (List<String> r : sql.rows("postgres", "SELECT line_number, type, array_to_string(database, ','), "
                + "array_to_string(user_name, ','), coalesce(address, ''), coalesce(netmask, ''), coalesce(auth_method, ''), "
                + "coalesce(error, '') FROM pg_hba_file_rules ORDER BY line_number")) {
            String where = "pg_hba.conf line " + r.get(0);
            String method = r.get(6);
            if (!r.get(7).isEmpty()) {
                out.add(new Finding(Severity.HIGH, "hba-error", where, r.get(7), "pgbox restart rewrites pg_hba.conf"));
            }
            if (method.equals("trust") || method.equals("md5") || method.equals("password")) {
                out.add(new Finding(Severity.HIGH, "hba-weak-method", where, r.get(1) + " " + r.get(2) + " " + r.get(3) + " " + r.get(4)
                        + " uses " + method + (method.equals("trust") ? " (no password at all)" : " (weaker than scram-sha-256)"),
                        "pgbox start rewrites pg_hba.conf with scram-sha-256 only"));
            }
            if (r.get(1).equals("host") && !r.get(4).isEmpty() && !r.get(4).startsWith("127.") && !r.get(4).equals("::1")) {
                out.add(new Finding(Severity.HIGH, "hba-no-tls", where, "remote logins from " + r.get(4) + " may skip TLS (host, not hostssl)",
                        "use hostssl for every non-loopback line"));
            }
            if (r.get(4).equals("0.0.0.0") && r.get(5).equals("0.0.0.0") || r.get(4).equals("::") && r.get(5).equals("::")) {
                out.add(new Finding(Severity.MEDIUM, "hba-any-address", where, "accepts logins from any address",
                        "narrow POSTGRES_ALLOWED_CIDRS to the hosts that need access"));
            }
        }
    }

    private static void serverSettings(AdminSql sql, List<Finding> out) {
        if (!"on".equals(sql.value("postgres", "SHOW ssl"))) {
            out.add(new Finding(Severity.HIGH, "ssl-off", "ssl", "TLS is off: passwords and data cross the network in clear",
                    "pgbox restart (pgbox.conf sets ssl = on)"));
        }
        String enc = sql.value("postgres", "SHOW password_encryption");
        if (!"scram-sha-256".equals(enc)) {
            out.add(new Finding(Severity.HIGH, "password-encryption", "password_encryption", "new passwords are hashed with " + enc,
                    "set POSTGRES_PASSWORD_ENCRYPTION=scram-sha-256 and run pgbox tune --apply"));
        }
    }

    private static void roles(AdminSql sql, List<Finding> out) {
        for (List<String> r : sql.rows("postgres", """
                SELECT a.rolname, a.rolsuper, a.rolcreaterole, a.rolcanlogin, coalesce(left(a.rolpassword, 3), ''), a.rolbypassrls
                FROM pg_authid a WHERE a.rolname !~ '^pg_' ORDER BY 1
                """)) {
            String role = r.get(0);
            if (role.equals("postgres")) {
                continue; // the superuser: socket + peer only, no password by design
            }
            if ("t".equals(r.get(1)) || "t".equals(r.get(2))) {
                out.add(new Finding(Severity.HIGH, "role-privileged", role, "is " + ("t".equals(r.get(1)) ? "SUPERUSER" : "CREATEROLE")
                        + ": an application role must not administer the server", "ALTER ROLE " + role + " NOSUPERUSER NOCREATEROLE"));
            }
            if ("t".equals(r.get(5))) {
                out.add(new Finding(Severity.HIGH, "role-bypassrls", role, "has BYPASSRLS: row-level security does not apply to it",
                        "ALTER ROLE " + role + " NOBYPASSRLS"));
            }
            if ("t".equals(r.get(3)) && r.get(4).isEmpty()) {
                out.add(new Finding(Severity.MEDIUM, "role-no-password", role, "can log in but has no password (it cannot log in over TCP, "
                        + "but a future trust line would let it in)", "pgbox app rotate-password, or ALTER ROLE " + role + " NOLOGIN"));
            }
            if ("t".equals(r.get(3)) && r.get(4).equals("md5")) {
                out.add(new Finding(Severity.HIGH, "role-md5-password", role, "its password is stored as an MD5 hash",
                        "set a new password (pgbox app rotate-password): it is stored as scram-sha-256"));
            }
        }
    }

    private static void database(AdminSql sql, String db, List<Finding> out) {
        String publicConnect = sql.value("postgres", "SELECT has_database_privilege('public', $1, 'CONNECT')", db);
        if ("t".equals(publicConnect)) {
            out.add(new Finding(Severity.HIGH, "db-public-connect", db, "every role may connect (CONNECT granted to PUBLIC)",
                    "REVOKE CONNECT ON DATABASE " + db + " FROM PUBLIC"));
        }
        for (List<String> r : sql.rows(db, """
                SELECT n.nspname FROM pg_namespace n
                WHERE n.nspname NOT LIKE 'pg_%' AND n.nspname <> 'information_schema' AND has_schema_privilege('public', n.oid, 'CREATE')
                """)) {
            out.add(new Finding(Severity.HIGH, "schema-public-create", db + "." + r.get(0), "every role may create objects in schema " + r.get(0),
                    "REVOKE CREATE ON SCHEMA " + r.get(0) + " FROM PUBLIC (in database " + db + ")"));
        }
        for (List<String> r : sql.rows(db, """
                SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                WHERE EXISTS (SELECT FROM pg_roles r WHERE NOT r.rolsuper AND r.rolname !~ '^pg_'
                              AND has_schema_privilege(r.oid, n.oid, 'CREATE')
                              AND NOT pg_has_role(r.oid, n.nspowner, 'MEMBER')
                              AND r.oid <> (SELECT datdba FROM pg_database WHERE datname = current_database())
                              AND NOT EXISTS (SELECT FROM pg_auth_members m JOIN pg_database d ON d.datdba = m.roleid
                                              WHERE d.datname = current_database() AND m.member = r.oid))
                """)) {
            out.add(new Finding(Severity.MEDIUM, "extension-writable-schema", db + "." + r.get(0),
                    "extension " + r.get(0) + " lives in schema " + r.get(1) + ", where non-owner roles may create objects "
                            + "(they could shadow its functions)", "REVOKE CREATE ON SCHEMA " + r.get(1) + " FROM those roles"));
        }
    }

    private static void secretsFile(Path file, List<Finding> out) {
        try {
            if (Files.exists(file) && !Files.getPosixFilePermissions(file).equals(Secrets.OWNER_ONLY)) {
                out.add(new Finding(Severity.HIGH, "secrets-mode", file.toString(), "readable by others (mode "
                        + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)) + ")",
                        "chmod 600 " + file));
            }
        } catch (IOException e) {
            out.add(new Finding(Severity.MEDIUM, "secrets-mode", file.toString(), "cannot read its mode: " + e.getMessage(), "check the file"));
        }
    }
}
