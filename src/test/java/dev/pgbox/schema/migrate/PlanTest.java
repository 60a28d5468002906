package dev.pgbox.schema.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listing, ordering and checksums of migration files, and what up applies and down reverts. */
class PlanTest {
    static final AppName SHOP = new AppName("shop");

    @TempDir
    Path project;

    Path write(String file, String sql) throws Exception {
        Path dir = MigrationFiles.folder(project, SHOP);
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(file), sql);
    }

    static Applied applied(String version, String name, String checksum) {
        return new Applied(version, name, checksum, null, "2026-12-02T00:00:00Z", "root as shop_owner", 1, "transaction");
    }

    @Test
    void filesPairUpInVersionOrderAndOtherNamesAreIgnored() throws Exception {
        write("20261202000002_b.up.sql", "select 2;");
        write("20261202000002_b.down.sql", "select -2;");
        write("20261202000001_a.up.sql", "select 1;");
        write("900_old.up.sql", "select 0;"); // shorter version: older, even though "9" > "2" as text
        write("README.md", "notes");
        write("20261202000003_c.sql", "not a migration name");
        List<MigrationFile> files = MigrationFiles.list(project, SHOP);
        assertThat(files).extracting(MigrationFile::label).containsExactly("900_old", "20261202000001_a", "20261202000002_b");
        assertThat(files.get(1).down()).isNull();
        assertThat(files.get(2).down().getFileName().toString()).isEqualTo("20261202000002_b.down.sql");
    }

    @Test
    void twoNamesForOneVersionAreRefused() throws Exception {
        write("1_a.up.sql", "");
        write("1_b.up.sql", "");
        assertThatThrownBy(() -> MigrationFiles.list(project, SHOP)).isInstanceOf(PgboxException.class).hasMessageContaining("have version 1");
    }

    @Test
    void checksumIsSha256OfTheBytes() throws Exception {
        Path f = write("1_a.up.sql", "abc");
        assertThat(MigrationFiles.checksum(f)).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void createdPairsGetNewerVersionsAndTheTemplates() throws Exception {
        List<Path> first = MigrationFiles.create(project, SHOP, "Add avatar!", "up", "down");
        List<Path> second = MigrationFiles.create(project, SHOP, "add avatar", "up", "down");
        assertThat(first.get(0).getFileName().toString()).matches("\\d{14}_add_avatar\\.up\\.sql");
        assertThat(second.get(0).getFileName().toString()).isGreaterThan(first.get(0).getFileName().toString());
        assertThat(MigrationFiles.list(project, SHOP)).hasSize(2);
    }

    @Test
    void statusFindsAppliedPendingDriftedAndMissing() throws Exception {
        Path a = write("1_a.up.sql", "select 1;");
        write("2_b.up.sql", "select 2;");
        write("3_c.up.sql", "select 3;");
        List<MigrationFile> files = MigrationFiles.list(project, SHOP);
        List<MigrationStatus> s = Plan.status(files, List.of(applied("1", "a", MigrationFiles.checksum(a)),
                applied("2", "b", "0000"), applied("0", "gone", "1111")));
        assertThat(s).extracting(MigrationStatus::version).containsExactly("0", "1", "2", "3");
        assertThat(s).extracting(MigrationStatus::state).containsExactly("missing", "applied", "drifted", "pending");
    }

    @Test
    void upAppliesPendingUpToAVersionAndRefusesOutOfOrder() throws Exception {
        write("1_a.up.sql", "");
        write("2_b.up.sql", "");
        write("3_c.up.sql", "");
        List<MigrationFile> files = MigrationFiles.list(project, SHOP);
        assertThat(Plan.toApply(files, List.of(), null, "shop")).extracting(MigrationFile::version).containsExactly("1", "2", "3");
        assertThat(Plan.toApply(files, List.of(), "2", "shop")).extracting(MigrationFile::version).containsExactly("1", "2");
        assertThat(Plan.toApply(files, List.of(applied("1", "a", "x")), null, "shop")).extracting(MigrationFile::version)
                .containsExactly("2", "3");
        assertThatThrownBy(() -> Plan.toApply(files, List.of(), "9", "shop")).hasMessageContaining("no migration of app 'shop' has version 9");
        assertThatThrownBy(() -> Plan.toApply(files, List.of(applied("2", "b", "x")), null, "shop"))
                .hasMessageContaining("1_a of app 'shop' is older than the newest applied one (2)");
    }

    @Test
    void downRevertsNewestFirstBySteps() {
        List<Applied> all = List.of(applied("1", "a", "x"), applied("2", "b", "x"), applied("3", "c", "x"));
        assertThat(Plan.toRevert(all, null, null, "shop")).extracting(Applied::version).containsExactly("3");
        assertThat(Plan.toRevert(all, 2, null, "shop")).extracting(Applied::version).containsExactly("3", "2");
        assertThat(Plan.toRevert(all, 9, null, "shop")).extracting(Applied::version).containsExactly("3", "2", "1");
        assertThat(Plan.toRevert(all, null, "1", "shop")).extracting(Applied::version).containsExactly("3", "2");
        assertThat(Plan.toRevert(all, null, "0", "shop")).extracting(Applied::version).containsExactly("3", "2", "1");
        assertThatThrownBy(() -> Plan.toRevert(all, null, "7", "shop")).hasMessageContaining("version 7 of app 'shop' is not applied");
        assertThatThrownBy(() -> Plan.toRevert(all, 1, "1", "shop")).hasMessageContaining("--steps and --to both given");
        assertThatThrownBy(() -> Plan.toRevert(all, 0, null, "shop")).hasMessageContaining("not a positive number");
    }

    @Test
    void restorePointNamesFitPostgresLimit() {
        assertThat(Migrator.restorePointName("pgbox-migrate-", "shop", "20261202000001")).isEqualTo("pgbox-migrate-shop-20261202000001");
        String longApp = "a".repeat(40);
        assertThat(Migrator.restorePointName("pgbox-migrate-", longApp, "20261202000001")).hasSize(63).endsWith("-20261202000001");
    }
}
