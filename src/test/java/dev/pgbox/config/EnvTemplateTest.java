package dev.pgbox.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files 'pgbox init' writes: every setting once, commented out, with help; nothing active; secrets absent. */
class EnvTemplateTest {
    /** A commented-out assignment, as a reader would uncomment it. */
    private static final Pattern COMMENTED = Pattern.compile("^# ([A-Z][A-Z0-9_]*)=(.*)$");

    @TempDir
    Path dir;

    private static List<String> commentedNames(String text) {
        return text.lines().map(COMMENTED::matcher).filter(java.util.regex.Matcher::matches).map(m -> m.group(1)).toList();
    }

    /** The text with every commented-out assignment made active, help lines left as comments. */
    private static String uncommented(String text) {
        return text.lines().map(l -> COMMENTED.matcher(l).matches() ? l.substring(2) : l)
                .collect(Collectors.joining("\n", "", "\n"));
    }

    @Test
    void devListsEveryNonSecretSettingExactlyOnceCommentedOutAndNoSecret() {
        String text = EnvTemplate.dev();
        List<String> names = commentedNames(text);
        List<String> expected = Arrays.stream(Setting.values()).filter(s -> !s.secret()).map(Setting::name).toList();
        assertThat(names).containsExactlyInAnyOrderElementsOf(expected).doesNotHaveDuplicates();
        for (Setting s : Setting.values()) {
            if (s.secret()) {
                assertThat(text).as("secret %s must never be assigned in .env.dev", s)
                        .doesNotContainPattern("(?m)^#?\\s*" + s.name() + "\\s*=");
            }
        }
        assertThat(text).contains("live in\n# .env.secrets (mode 0600, git-ignored)");
        // no line is active: every line is blank or a comment
        assertThat(text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList()).isEmpty();
    }

    @Test
    void eachSettingHasOneHelpLineWithWhenAChangeApplies() {
        List<String> lines = EnvTemplate.dev().lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            var m = COMMENTED.matcher(lines.get(i));
            if (!m.matches()) {
                continue;
            }
            Setting s = Setting.valueOf(m.group(1));
            String help = lines.get(i - 1);
            assertThat(help).as("help line above %s", s).startsWith("# " + s.description().strip());
            assertThat(COMMENTED.matcher(help).matches()).isFalse();
            if (s.apply() == Apply.RESTART) {
                assertThat(help).contains("needs pgbox restart");
            } else if (s.apply() == Apply.RELOAD) {
                assertThat(help).contains("applies with a reload");
            }
        }
    }

    @Test
    void settingsAreGroupedByNamespaceEachUnderItsHeader() {
        String text = EnvTemplate.dev();
        List<String> lines = text.lines().toList();
        for (String ns : List.of("PGBOX_", "POSTGRES_", "BACKUP_", "VERIFY_")) {
            assertThat(lines.stream().filter(l -> l.startsWith("# ---- " + ns + "*: ")).count()).as(ns).isEqualTo(1);
        }
        // below a header, every setting up to the next header is of that namespace
        String current = null;
        for (String l : lines) {
            if (l.startsWith("# ---- ")) {
                current = l.substring("# ---- ".length(), l.indexOf('*'));
            }
            var m = COMMENTED.matcher(l);
            if (m.matches()) {
                assertThat(m.group(1)).startsWith(current);
            }
        }
        assertThat(EnvTemplate.groupHeader("PATRONI_")).isEqualTo("# ---- PATRONI_*: PATRONI_* settings");
    }

    @Test
    void theProjectsOwnParserFindsNoActiveSetting() {
        assertThat(EnvFile.parse(EnvTemplate.dev(), ".env.dev")).isEmpty();
        assertThat(EnvFile.parse(EnvTemplate.prod(), ".env.prod")).isEmpty();
    }

    @Test
    void uncommentingEveryLineGivesTheDefaultsAndSettingsLoadAcceptsThem() throws IOException {
        Settings defaults = Settings.load(dir, null, Map.of());
        String active = uncommented(EnvTemplate.dev());
        Files.writeString(dir.resolve(".env.dev"), active);
        assertThat(EnvFile.parse(active, ".env.dev")).hasSize((int) Arrays.stream(Setting.values()).filter(s -> !s.secret()).count());
        Settings s = Settings.load(dir, null, Map.of());
        for (Setting setting : Setting.values()) {
            assertThat(s.get(setting)).as(setting.name()).isEqualTo(defaults.get(setting));
            if (!setting.secret() && setting != Setting.PGBOX_ENV) {
                assertThat(s.source(setting)).as(setting.name()).isEqualTo(".env.dev");
            }
        }
        Files.writeString(dir.resolve(ProjectInit.PROD_FILE), uncommented(EnvTemplate.prod()));
        Settings prod = Settings.load(dir, "prod", Map.of());
        for (EnvTemplate.ProdHint h : EnvTemplate.PROD) {
            assertThat(prod.get(h.setting())).isEqualTo(defaults.get(h.setting()));
            assertThat(prod.source(h.setting())).isEqualTo(".env.prod");
        }
    }

    @Test
    void prodListsOnlyTheProductionSettingsWithAdviceAndNoSecret() {
        String text = EnvTemplate.prod();
        assertThat(commentedNames(text)).containsExactlyInAnyOrderElementsOf(
                EnvTemplate.PROD.stream().map(h -> h.setting().name()).toList()).doesNotHaveDuplicates()
                .contains("PGBOX_SUPERVISOR", "BACKUP_REPO", "POSTGRES_ALLOWED_CIDRS");
        assertThat(EnvTemplate.PROD).noneMatch(h -> h.setting().secret());
        assertThat(text).contains("# In production: systemd");
    }

    @Test
    void aValueWithSpacesIsQuotedSoItParsesBack() {
        assertThat(EnvTemplate.dev()).contains("# BACKUP_SCHEDULE=\"0 3 * * *\"\n");
    }

    @Test
    void initWritesNewFilesReadableByAllAndNeverOverwrites() throws IOException {
        Files.writeString(dir.resolve(".env.dev"), "POSTGRES_PORT=6000\n");
        Files.writeString(dir.resolve(".gitignore"), "node_modules/\n.env.secrets");
        List<ProjectInit.FileResult> first = ProjectInit.run(dir);
        assertThat(first).extracting(r -> r.path().getFileName().toString() + ":" + r.action().label())
                .containsExactly(".env.dev:kept", ".env.prod:wrote", ".gitignore:updated");
        assertThat(Files.readString(dir.resolve(".env.dev"))).isEqualTo("POSTGRES_PORT=6000\n");
        assertThat(Files.readString(dir.resolve(".env.prod"))).isEqualTo(EnvTemplate.prod());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(".env.prod")))).isEqualTo("rw-r--r--");
        assertThat(Files.readString(dir.resolve(".gitignore"))).isEqualTo("node_modules/\n.env.secrets\n.pgbox/\n");
        List<ProjectInit.FileResult> second = ProjectInit.run(dir);
        assertThat(second).extracting(r -> r.action().label()).containsOnly("kept");
        assertThat(Files.readString(dir.resolve(".gitignore"))).isEqualTo("node_modules/\n.env.secrets\n.pgbox/\n");
    }

    @Test
    void aDanglingLinkWhereAFileWouldGoIsKept() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve(".env.dev"), dir.resolve("elsewhere"));
        assertThat(ProjectInit.createNew(dir, link, "x").action()).isEqualTo(ProjectInit.Action.KEPT);
        assertThat(Files.exists(dir.resolve("elsewhere"))).isFalse();
    }
}
