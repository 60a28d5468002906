package dev.pgbox.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text of the {@code .env.dev} and {@code .env.prod} files 'pgbox init' writes, rendered from the
 * settings catalogue: every line that names a setting is a comment ({@code # NAME=default}) under one
 * line of help, so a new file changes nothing until its reader uncomments a line. Settings are grouped
 * by their namespace (the name up to the first underscore). Secrets are never written here: the
 * header says they live in {@code .env.secrets}. Pure: no I/O.
 */
public final class EnvTemplate {
    /** Titles of the namespaces pgbox knows; any other namespace gets a plain "NAME_* settings" header. */
    private static final Map<String, String> GROUP_TITLES = Map.of(
            "PGBOX_", "pgbox itself: project paths, supervision, timeouts, defaults of new apps",
            "POSTGRES_", "PostgreSQL: address, roles, WAL, and the sizing inputs and parameters of the tuning plan",
            "BACKUP_", "Backups: pgBackRest (physical backups, WAL archiving) and pg_dump (logical dumps)",
            "VERIFY_", "Restore drills (pgbox db verify)");

    /** A setting that usually differs in production, and why. */
    record ProdHint(Setting setting, String advice) {
    }

    /** The settings a production box usually changes, in the order a reader decides them. */
    static final List<ProdHint> PROD = List.of(
            new ProdHint(Setting.PGBOX_SUPERVISOR, "systemd, so the server starts at boot and restarts after a crash."),
            new ProdHint(Setting.PGBOX_STATE_DIR, "a folder on the data disk, e.g. /var/lib/pgbox/app."),
            new ProdHint(Setting.POSTGRES_PORT, "keep 5432 unless another server uses it."),
            new ProdHint(Setting.POSTGRES_LISTEN, "the private address application servers connect to, e.g. 10.0.0.5."),
            new ProdHint(Setting.POSTGRES_ALLOWED_CIDRS, "only the application servers' network, e.g. 10.0.0.0/24 (needs POSTGRES_LISTEN)."),
            new ProdHint(Setting.POSTGRES_TUNE_PROFILE, "the workload production really has."),
            new ProdHint(Setting.POSTGRES_RAM_SHARE, "100 on a machine that runs only PostgreSQL."),
            new ProdHint(Setting.BACKUP_REPO, "another disk or an S3 bucket (s3://bucket/prefix), not the data disk."),
            new ProdHint(Setting.BACKUP_S3_ENDPOINT, "your S3 endpoint when BACKUP_REPO is s3://..."),
            new ProdHint(Setting.BACKUP_S3_REGION, "the bucket's region."),
            new ProdHint(Setting.BACKUP_S3_KEY, "the access key id (its secret key goes in .env.secrets as BACKUP_S3_KEY_SECRET)."),
            new ProdHint(Setting.BACKUP_ENCRYPT, "on when the repository leaves the machine (S3, another host)."),
            new ProdHint(Setting.BACKUP_RETENTION_FULL, "as many weekly full backups as your recovery window needs."),
            new ProdHint(Setting.BACKUP_DUMP_RETENTION, "as many daily dump sets as you want to go back."));

    private EnvTemplate() {
    }

    /** {@code .env.dev} for the whole catalogue. */
    public static String dev() {
        return dev(List.of(Setting.values()));
    }

    /** {@code .env.dev} for these settings: every non-secret one commented out with its default. */
    public static String dev(List<Setting> catalogue) {
        StringBuilder sb = new StringBuilder();
        sb.append("# .env.dev: this project's pgbox settings, meant to be committed with the code.\n");
        sb.append("# Every setting is listed, commented out, with its default (empty: pgbox decides, as its help says).\n");
        sb.append("# To change one, remove the '# ' before its name and edit the value.\n");
        sb.append("# Later layers win: defaults < .env.dev < .env.prod (with --env prod) < .env.secrets < the environment.\n");
        sb.append("# 'pgbox config --explain' shows each value in force and where it came from.\n");
        secretsNote(sb, catalogue);
        for (Map.Entry<String, List<Setting>> group : groups(catalogue).entrySet()) {
            List<Setting> shown = group.getValue().stream().filter(s -> !s.secret()).toList();
            if (shown.isEmpty()) {
                continue;
            }
            header(sb, group.getKey());
            for (Setting s : shown) {
                sb.append("# ").append(help(s)).append('\n');
                sb.append(commented(s)).append("\n\n");
            }
        }
        return sb.toString().stripTrailing() + "\n";
    }

    /** {@code .env.prod}: the settings that usually differ in production, commented out with their defaults. */
    public static String prod() {
        StringBuilder sb = new StringBuilder();
        sb.append("# .env.prod: what usually differs in production. pgbox layers it over .env.dev when it runs with\n");
        sb.append("# --env prod (or PGBOX_ENV=prod). Each line is commented out with its default: uncomment and edit\n");
        sb.append("# the ones production needs. Secrets (passwords, keys) never go here: they live in .env.secrets.\n");
        sb.append("# Every other setting may be written here too; .env.dev lists them all.\n");
        Map<Setting, String> advice = new LinkedHashMap<>();
        PROD.forEach(h -> advice.put(h.setting(), h.advice()));
        for (Map.Entry<String, List<Setting>> group : groups(List.copyOf(advice.keySet())).entrySet()) {
            header(sb, group.getKey());
            for (Setting s : group.getValue()) {
                sb.append("# ").append(help(s)).append('\n');
                sb.append("# In production: ").append(advice.get(s)).append('\n');
                sb.append(commented(s)).append("\n\n");
            }
        }
        return sb.toString().stripTrailing() + "\n";
    }

    /** The namespace of a setting: its name up to and including the first underscore, e.g. {@code BACKUP_}. */
    static String namespace(Setting s) {
        return s.name().substring(0, s.name().indexOf('_') + 1);
    }

    /** The settings by namespace, namespaces in order of first appearance, settings in catalogue order. */
    static Map<String, List<Setting>> groups(List<Setting> settings) {
        Map<String, List<Setting>> groups = new LinkedHashMap<>();
        for (Setting s : settings) {
            groups.computeIfAbsent(namespace(s), k -> new ArrayList<>()).add(s);
        }
        return groups;
    }

    /** The header comment of a namespace's group. */
    static String groupHeader(String namespace) {
        return "# ---- " + namespace + "*: " + GROUP_TITLES.getOrDefault(namespace, namespace + "* settings");
    }

    private static void header(StringBuilder sb, String namespace) {
        sb.append(sb.toString().endsWith("\n\n") ? "" : "\n").append(groupHeader(namespace)).append("\n\n");
    }

    private static void secretsNote(StringBuilder sb, List<Setting> catalogue) {
        List<String> secrets = catalogue.stream().filter(Setting::secret).map(Setting::name).toList();
        if (secrets.isEmpty()) {
            return;
        }
        sb.append("#\n# Secrets never go here: ").append(String.join(", ", secrets))
                .append(" and each app's password live in\n# ").append(Settings.SECRETS_FILE)
                .append(" (mode 0600, git-ignored), which 'pgbox start' generates; write there yourself only\n")
                .append("# what pgbox cannot make, such as an S3 secret key.\n");
    }

    /** One line of help: the catalogue's description, the unit where the value has one, and when a change applies. */
    static String help(Setting s) {
        StringBuilder h = new StringBuilder(s.description().strip());
        if (!h.toString().endsWith(".")) {
            h.append('.');
        }
        if (s.type() != Setting.Type.SIZE && s.type() != Setting.Type.DURATION && !s.unit().isEmpty()) {
            h.append(" Unit: ").append(s.unit()).append('.');
        }
        if (s == Setting.PGBOX_ENV) {
            // Settings.load picks the environment before it reads any file, so a line in a file cannot choose it
            h.append(" Chosen only by --env or the PGBOX_ENV environment variable: a line in a file has no effect.");
            return h.toString();
        }
        h.append(' ').append(switch (s.apply()) {
            case RESTART -> "A change needs pgbox restart.";
            case RELOAD -> "A change applies with a reload (pgbox start on the running server).";
            case START -> "A change applies on the next pgbox start.";
            case INIT -> "Fixed when the cluster is created.";
            case PGBOX -> "Read by every pgbox command.";
        });
        return h.toString();
    }

    /** {@code # NAME=default}, the value quoted when it holds spaces (a cron schedule). */
    static String commented(Setting s) {
        return "# " + s.name() + "=" + quoted(s.defaultValue());
    }

    private static String quoted(String v) {
        if (v.chars().noneMatch(c -> Character.isWhitespace(c) || c == '#' || c == '"' || c == '\'')) {
            return v;
        }
        return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
