package dev.pgbox.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** pgbackrest info --output=json, recorded from a real pgBackRest 2.45 repository. */
class BackupSetTest {
    @Test
    void parsesRecordedInfo() throws IOException {
        String json = new String(getClass().getResourceAsStream("/pgbackrest-info.json").readAllBytes(), StandardCharsets.UTF_8);
        List<BackupSet> sets = BackupSet.parse(json, "main");
        assertThat(sets).isNotEmpty();
        assertThat(sets.get(0).type()).isEqualTo("full");
        assertThat(sets).allSatisfy(b -> {
            assertThat(b.label()).matches("\\d{8}-\\d{6}F(_\\d{8}-\\d{6}[DI])?");
            assertThat(b.stop()).isAfterOrEqualTo(b.start());
            assertThat(b.sizeBytes()).isPositive();
            assertThat(b.walStart()).hasSize(24);
        });
        assertThat(BackupSet.stanzaStatus(json, "main")).isZero();
        assertThat(BackupSet.parse(json, "other")).isEmpty();
        assertThat(BackupSet.stanzaStatus(json, "other")).isEqualTo(-1);
    }
}
