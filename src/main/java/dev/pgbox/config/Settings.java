package dev.pgbox.config;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The validated, frozen settings of one project. Layers, later wins: catalogue default &lt;
 * {@code .env.dev} &lt; {@code .env.prod} (with --env prod or PGBOX_ENV=prod) &lt; {@code .env.secrets}
 * &lt; the process environment. Everything is validated once here; later code reads typed values.
 */
public final class Settings {
    /** Prefixes pgbox owns: an unknown name with one of these is a typo, not another tool's variable. */
    private static final List<String> NAMESPACES = List.of("POSTGRES_", "PGBOX_", "BACKUP_", "VERIFY_", "PATRONI_",
            "ETCD_", "PGBOUNCER_", "ALERT_", "MEMORY_");
    private static final Pattern IDENT = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    /** Per-app passwords written by 'pgbox app create': PGBOX_APP_<NAME>_PASSWORD, only in .env.secrets or env. */
    public static final Pattern APP_SECRET = Pattern.compile("PGBOX_APP_[A-Z][A-Z0-9_]*_PASSWORD");
    public static final String DEV_FILE = ".env.dev";
    public static final String SECRETS_FILE = ".env.secrets";
    public static final String DEFAULT_SOURCE = "default";
    public static final String ENV_SOURCE = "env";

    /** A resolved value and where it came from (default, .env.dev, .env.prod, .env.secrets, env). */
    public record Value(String value, String source) {
    }

    private final Path projectDir;
    private final String envName;
    private final Map<Setting, Value> values;
    private final Map<String, String> appSecrets;

    private Settings(Path projectDir, String envName, Map<Setting, Value> values, Map<String, String> appSecrets) {
        this.projectDir = projectDir;
        this.envName = envName;
        this.values = Collections.unmodifiableMap(values);
        this.appSecrets = Map.copyOf(appSecrets);
    }

    /**
     * Loads and validates the project's settings.
     *
     * @param envOption the --env option, or null
     * @param processEnv the process environment (only catalogue names are taken from it)
     */
    public static Settings load(Path projectDir, String envOption, Map<String, String> processEnv) {
        Map<Setting, Value> values = new EnumMap<>(Setting.class);
        Map<String, String> appSecrets = new java.util.HashMap<>();
        for (Setting s : Setting.values()) {
            values.put(s, new Value(normalize(s, s.defaultValue(), "the catalogue"), DEFAULT_SOURCE));
        }
        String envName = envOption != null ? envOption : processEnv.getOrDefault("PGBOX_ENV", "dev");
        if (!Setting.PGBOX_ENV.choices().contains(envName)) {
            throw new PgboxException(ErrorKind.CONFIG, "unknown environment '" + envName + "'",
                    "pgbox knows the environments dev and prod", "use --env dev or --env prod");
        }
        layer(values, appSecrets, projectDir.resolve(DEV_FILE), false, false);
        if (!envName.equals("dev")) {
            layer(values, appSecrets, projectDir.resolve(".env." + envName), true, false);
        }
        layer(values, appSecrets, projectDir.resolve(SECRETS_FILE), false, true);
        processEnv.forEach((k, v) -> {
            if (APP_SECRET.matcher(k).matches() && !v.isBlank()) {
                appSecrets.put(k, v.strip());
            }
        });
        for (Setting s : Setting.values()) {
            String v = processEnv.get(s.name());
            if (v != null) {
                values.put(s, new Value(normalize(s, v, "the environment"), ENV_SOURCE));
            }
        }
        return validated(projectDir, envName, envOption != null ? "--env" : values.get(Setting.PGBOX_ENV).source(), values, appSecrets);
    }

    /**
     * The settings the agent runs with: written by 'pgbox start' into one file the agent's OS user can
     * read (it cannot read the project's own .env files, which may be root's), and nothing else: not the
     * process environment of whoever started systemd.
     */
    public static Settings loadSnapshot(Path projectDir, String envName, Path file) {
        Map<Setting, Value> values = new EnumMap<>(Setting.class);
        Map<String, String> appSecrets = new java.util.HashMap<>();
        for (Setting s : Setting.values()) {
            values.put(s, new Value(normalize(s, s.defaultValue(), "the catalogue"), DEFAULT_SOURCE));
        }
        layer(values, appSecrets, file, true, true);
        return validated(projectDir, envName, "agent", values, appSecrets);
    }

    private static Settings validated(Path projectDir, String envName, String envSource, Map<Setting, Value> values,
                                      Map<String, String> appSecrets) {
        if (values.get(Setting.BACKUP_REPO).value().startsWith("s3://") && (values.get(Setting.BACKUP_S3_ENDPOINT).value().isEmpty()
                || values.get(Setting.BACKUP_S3_KEY).value().isEmpty() || values.get(Setting.BACKUP_S3_KEY_SECRET).value().isEmpty())) {
            throw new PgboxException(ErrorKind.CONFIG, "BACKUP_REPO is an S3 bucket but the S3 settings are incomplete",
                    "an s3:// repository needs BACKUP_S3_ENDPOINT and BACKUP_S3_KEY, and BACKUP_S3_KEY_SECRET in .env.secrets",
                    "set them, or set BACKUP_REPO to a folder");
        }
        if (!values.get(Setting.POSTGRES_ALLOWED_CIDRS).value().isEmpty() && values.get(Setting.POSTGRES_LISTEN).value().isEmpty()) {
            throw new PgboxException(ErrorKind.CONFIG, "POSTGRES_ALLOWED_CIDRS is set but POSTGRES_LISTEN is empty",
                    "the server listens on loopback only, so no remote client could use those networks",
                    "set POSTGRES_LISTEN to the address remote clients connect to (e.g. POSTGRES_LISTEN=10.0.0.5)");
        }
        HaSettings.check(s -> values.get(s).value());
        values.put(Setting.PGBOX_ENV, new Value(envName, envSource));
        return new Settings(projectDir.toAbsolutePath().normalize(), envName, values, appSecrets);
    }

    private static void layer(Map<Setting, Value> values, Map<String, String> appSecrets, Path file, boolean required,
                              boolean secretsAllowed) {
        if (!Files.exists(file)) {
            if (required) {
                throw new PgboxException(ErrorKind.CONFIG, "environment file " + file.getFileName() + " is missing",
                        "the environment was selected with --env or PGBOX_ENV, but " + file + " does not exist",
                        "create " + file.getFileName() + " with the settings that differ from .env.dev");
            }
            return;
        }
        String name = file.getFileName().toString();
        for (EnvFile.Entry e : EnvFile.read(file)) {
            Setting s = Setting.byName(e.name()).orElse(null);
            if (s == null && APP_SECRET.matcher(e.name()).matches()) {
                if (!secretsAllowed) {
                    throw new PgboxException(ErrorKind.CONFIG, e.name() + " is set in " + e.where(),
                            name + " is meant to be committed, and " + e.name() + " is a secret",
                            "move the line to " + SECRETS_FILE + " (mode 0600, git-ignored)");
                }
                appSecrets.put(e.name(), e.value());
                continue;
            }
            if (s == null) {
                unknown(e);
                continue;
            }
            if (s.secret() && !secretsAllowed) {
                throw new PgboxException(ErrorKind.CONFIG, s.name() + " is set in " + e.where(),
                        name + " is meant to be committed, and " + s.name() + " is a secret",
                        "move the line to " + SECRETS_FILE + " (mode 0600, git-ignored)");
            }
            values.put(s, new Value(normalize(s, e.value(), e.where()), name));
        }
    }

    private static void unknown(EnvFile.Entry e) {
        var near = Setting.nearest(e.name());
        boolean ours = NAMESPACES.stream().anyMatch(e.name()::startsWith);
        if (near.isPresent()) {
            throw new PgboxException(ErrorKind.CONFIG, "unknown variable " + e.name() + " in " + e.where(),
                    "pgbox has no setting of that name", "did you mean " + near.get().name() + "?");
        }
        if (ours) {
            throw new PgboxException(ErrorKind.CONFIG, "unknown variable " + e.name() + " in " + e.where(),
                    "pgbox has no setting of that name", "see 'pgbox config --explain' for every setting");
        }
        // anything else belongs to other tools sharing the nSelf .env files
    }

    /** Validates one raw value and returns its normal form; throws a CONFIG error naming the variable. */
    static String normalize(Setting s, String raw, String where) {
        String v = raw.strip();
        if (v.isEmpty()) {
            return "";
        }
        boolean ok = switch (s.type()) {
            case STRING, PATH, SECRET -> true;
            case INT -> v.matches("\\d{1,9}") && (s.range() == null || s.range().contains(Long.parseLong(v)));
            case DECIMAL -> v.matches("\\d{1,6}(\\.\\d{1,6})?");
            case PERCENT -> v.matches("\\d{1,3}") && Integer.parseInt(v) >= 1 && Integer.parseInt(v) <= 100;
            case SIZE -> Size.parse(v) > 0;
            case DURATION -> Durations.parseMillis(v) != null;
            case PORT -> v.matches("\\d{1,5}") && Integer.parseInt(v) >= 1 && Integer.parseInt(v) <= 65535;
            case HOST -> isLoopback(v);
            case ADDRESS_LIST -> v.equals("*") || list(v).stream().allMatch(Settings::isIp);
            case CIDR_LIST -> list(v).stream().allMatch(Settings::isCidr);
            case LIBRARY_LIST -> list(v).stream().allMatch(x -> Setting.LIBRARY_NAME.matcher(x).matches());
            case CRON -> validCron(v);
            case REPO -> v.matches("s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9._/-]*)?") || Path.of(v).isAbsolute();
            case IDENT -> IDENT.matcher(v).matches() && v.getBytes(StandardCharsets.UTF_8).length <= 63;
            case CHOICE -> s.choices().contains(v.toLowerCase(Locale.ROOT));
        };
        if (s.type() == Setting.Type.PATH && !Path.of(v).isAbsolute()) {
            ok = false;
        }
        if (s.type() == Setting.Type.SECRET && v.chars().anyMatch(Character::isWhitespace)) {
            ok = false;
        }
        if (!ok) {
            String shown = s.secret() ? "(hidden)" : "'" + v + "'";
            throw new PgboxException(ErrorKind.CONFIG, "invalid value " + shown + " for " + s.name() + " in " + where,
                    s.name() + " takes " + s.form(), example(s));
        }
        return switch (s.type()) {
            case ADDRESS_LIST, CIDR_LIST, LIBRARY_LIST -> String.join(",", list(v));
            case CRON -> String.join(" ", v.split("\\s+"));
            case SIZE -> Size.format(Size.parse(v));
            case DURATION -> Durations.format(Durations.parseMillis(v));
            case CHOICE -> v.toLowerCase(Locale.ROOT);
            case DECIMAL -> new BigDecimal(v).stripTrailingZeros().toPlainString();
            default -> v;
        };
    }

    /**
     * Refuses memory settings the machine cannot hold: {@code ramBytes} is the RAM pgbox plans for
     * (POSTGRES_MEMORY, else detected), {@code ramSource} says where that number came from.
     */
    public void checkMemory(long ramBytes, String ramSource) {
        for (Setting s : Setting.values()) {
            int percent = s.ramPercentLimit();
            if (percent == 0 || !isSet(s) || ramBytes <= 0) {
                continue;
            }
            long limit = ramBytes / 100 * percent;
            // a planner hint may equal all of RAM; anything PostgreSQL allocates must stay below it
            boolean tooBig = s == Setting.POSTGRES_EFFECTIVE_CACHE_SIZE ? bytes(s) > ramBytes
                    : percent == 100 ? bytes(s) >= ramBytes : bytes(s) > limit;
            if (tooBig) {
                String ram = Size.human(ramBytes) + " of RAM (" + ramSource + ")";
                String from = ENV_SOURCE.equals(source(s)) ? "the environment" : source(s);
                throw new PgboxException(ErrorKind.CONFIG, s.name() + "=" + get(s) + " in " + from + " is too big for "
                        + ram,
                        percent == 100 ? s.guc() + " above the whole RAM can never be served"
                                : s.guc() + " is allocated whole when the server starts; above " + percent
                                + "% of RAM the OS and the connections have no memory left, and the server fails to start or is killed",
                        "lower " + s.name() + " in " + from + " below " + Size.human(percent == 100 ? ramBytes : limit)
                                + ", or remove it so pgbox tunes it (pgbox tune shows the plan)");
            }
        }
    }

    private static String example(Setting s) {
        String sample = switch (s.type()) {
            case SIZE -> "512MB";
            case DURATION -> "30s";
            case INT -> "100";
            case DECIMAL -> "1.1";
            case PERCENT -> "50";
            case PORT -> "5432";
            case HOST -> "127.0.0.1";
            case ADDRESS_LIST -> "10.0.0.5";
            case CIDR_LIST -> "10.0.0.0/24";
            case LIBRARY_LIST -> "auto_explain";
            case CRON -> "\"30 2 * * *\"";
            case REPO -> "s3://my-bucket/pgbox";
            case IDENT -> "app";
            case PATH -> "/var/lib/pgbox/main";
            case CHOICE -> s.choices().get(0);
            default -> "value";
        };
        return "write it like " + s.name() + "=" + sample
                + (s == Setting.POSTGRES_HOST ? "; remote access will come with POSTGRES_LISTEN and POSTGRES_ALLOWED_CIDRS" : "");
    }

    private static boolean validCron(String v) {
        try {
            CronSchedule.parse(v);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Comma-separated items, trimmed, empty ones dropped. */
    public static List<String> list(String v) {
        return java.util.Arrays.stream(v.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
    }

    static boolean isIp(String v) {
        if (!v.matches("[0-9.]+|[0-9a-fA-F:]+") || !(v.contains(".") || v.contains(":"))) {
            return false;
        }
        try {
            InetAddress.getByName(v);
            return v.contains(":") || v.matches("(\\d{1,3}\\.){3}\\d{1,3}");
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    static boolean isCidr(String v) {
        String[] parts = v.split("/", -1);
        if (parts.length > 2 || !isIp(parts[0])) {
            return false;
        }
        if (parts.length == 1) {
            return true;
        }
        int max = parts[0].contains(":") ? 128 : 32;
        return parts[1].matches("\\d{1,3}") && Integer.parseInt(parts[1]) <= max;
    }

    private static boolean isLoopback(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false; // never resolve names through DNS here
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    public Path projectDir() {
        return projectDir;
    }

    public String envName() {
        return envName;
    }

    /** The normal-form value; empty means "pgbox decides". */
    public String get(Setting s) {
        return values.get(s).value();
    }

    public String source(Setting s) {
        return values.get(s).source();
    }

    public boolean isSet(Setting s) {
        return !get(s).isEmpty();
    }

    /** True when a user wrote the value (a file or the environment), not the catalogue. */
    public boolean explicit(Setting s) {
        return !DEFAULT_SOURCE.equals(source(s)) && isSet(s);
    }

    public int integer(Setting s) {
        return Integer.parseInt(get(s));
    }

    public long bytes(Setting s) {
        return Size.parse(get(s));
    }

    public long millis(Setting s) {
        return Durations.parseMillis(get(s));
    }

    /** The value for display: secrets are masked. */
    public String shown(Setting s) {
        if (s.secret()) {
            return isSet(s) ? "********" : "";
        }
        return get(s);
    }

    /** A copy with one value replaced, e.g. a generated password; the source says where it came from. */
    public Settings with(Setting s, String value, String source) {
        Map<Setting, Value> copy = new EnumMap<>(values);
        copy.put(s, new Value(value, source));
        return new Settings(projectDir, envName, copy, appSecrets);
    }

    /** An app's password from .env.secrets or the environment, or null. */
    public String appSecret(String variable) {
        return appSecrets.get(variable);
    }

    /** Every app password by its variable (PGBOX_APP_NAME_PASSWORD), unmodifiable: what the agent's snapshot carries. */
    public Map<String, String> appSecrets() {
        return appSecrets;
    }

    /** A copy with one app secret set (after it was written to .env.secrets). */
    public Settings withAppSecret(String variable, String value) {
        Map<String, String> copy = new java.util.HashMap<>(appSecrets);
        copy.put(variable, value);
        return new Settings(projectDir, envName, values, copy);
    }
}
