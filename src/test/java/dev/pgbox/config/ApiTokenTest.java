package dev.pgbox.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PGBOX_API_TOKEN: generated into .env.secrets (0600) once, strong, kept; an explicit empty value keeps the API off. */
class ApiTokenTest {
    @TempDir
    Path dir;

    private Settings load(String secrets) throws IOException {
        Files.writeString(dir.resolve(".env.dev"), "");
        if (secrets != null) {
            Files.writeString(dir.resolve(".env.secrets"), secrets);
        }
        return Settings.load(dir, null, Map.of());
    }

    @Test
    void startGeneratesATokenOnceIntoTheSecretsFile() throws IOException {
        Settings s = Secrets.ensurePassword(load(null));
        String token = s.get(Setting.PGBOX_API_TOKEN);
        // 32 random bytes in base64url: 43 characters after the prefix
        assertThat(token).matches("pgbox_[A-Za-z0-9_-]{43}");
        Path file = dir.resolve(".env.secrets");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Secrets.OWNER_ONLY);
        assertThat(Files.readString(file)).contains("PGBOX_API_TOKEN=" + token + "\n");
        Settings again = Secrets.ensurePassword(Settings.load(dir, null, Map.of()));
        assertThat(again.get(Setting.PGBOX_API_TOKEN)).isEqualTo(token);
        assertThat(Files.readString(file).split("PGBOX_API_TOKEN=", -1)).hasSize(2);
        assertThat(Setting.PGBOX_API_TOKEN.secret()).isTrue();
        assertThat(again.shown(Setting.PGBOX_API_TOKEN)).doesNotContain(token);
    }

    @Test
    void tokensDiffer() {
        assertThat(Secrets.apiToken()).isNotEqualTo(Secrets.apiToken());
    }

    @Test
    void anExistingPasswordStillGetsAToken() throws IOException {
        Settings s = Secrets.ensurePassword(load("POSTGRES_PASSWORD=pw\n"));
        assertThat(s.get(Setting.POSTGRES_PASSWORD)).isEqualTo("pw");
        assertThat(s.isSet(Setting.PGBOX_API_TOKEN)).isTrue();
    }

    @Test
    void anEmptyTokenSetOnPurposeStaysEmpty() throws IOException {
        Settings s = Secrets.ensurePassword(load("POSTGRES_PASSWORD=pw\nPGBOX_API_TOKEN=\n"));
        assertThat(s.isSet(Setting.PGBOX_API_TOKEN)).isFalse();
        assertThat(Files.readString(dir.resolve(".env.secrets"))).doesNotContain("pgbox_");
    }

    @Test
    void theTokenMayNotLiveInACommittedFile() throws IOException {
        Files.writeString(dir.resolve(".env.dev"), "PGBOX_API_TOKEN=abc\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Settings.load(dir, null, Map.of()))
                .hasMessageContaining("PGBOX_API_TOKEN is set in");
    }
}
