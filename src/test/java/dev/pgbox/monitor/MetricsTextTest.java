package dev.pgbox.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.sql.ScriptGuard;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Prometheus text writer, the metric catalogue and the collection statement's JSON in and out. */
class MetricsTextTest {

    @Test
    void everyFamilyGetsOneHelpAndOneTypeLineBeforeItsSamples() {
        String text = MetricsText.write(List.of(
                MetricSample.of("pg_stat_database_xact_commit", "datname", "shop", 12),
                MetricSample.of("pg_up", 1),
                MetricSample.of("pg_stat_database_xact_commit", "datname", "blog", 3)));
        assertThat(text).isEqualTo("""
                # HELP pg_up Whether the last collection reached the server (1) or not (0)
                # TYPE pg_up gauge
                pg_up 1
                # HELP pg_stat_database_xact_commit Number of transactions in this database that have been committed (cumulative)
                # TYPE pg_stat_database_xact_commit untyped
                pg_stat_database_xact_commit{datname="shop"} 12
                pg_stat_database_xact_commit{datname="blog"} 3
                """);
    }

    @Test
    void labelValuesEscapeBackslashQuoteAndNewlineAndLabelsAreSorted() {
        String text = MetricsText.write(List.of(new MetricSample("pg_locks_count",
                Map.of("mode", "x", "datname", "we\"ird\\db\nname"), 2)));
        assertThat(text).contains("pg_locks_count{datname=\"we\\\"ird\\\\db\\nname\",mode=\"x\"} 2\n");
        assertThat(MetricsText.escapeHelp("a\\b\nc")).isEqualTo("a\\\\b\\nc");
    }

    @Test
    void aNameOutsideTheCatalogueIsLeftOut() {
        assertThat(MetricsText.write(List.of(MetricSample.of("pg_not_a_metric", 1)))).isEmpty();
    }

    @Test
    void numbersAreWrittenTheWayTheFormatReadsThem() {
        assertThat(MetricsText.number(42)).isEqualTo("42");
        assertThat(MetricsText.number(0.25)).isEqualTo("0.25");
        assertThat(MetricsText.number(1796170570.929)).isEqualTo("1796170570.929");
        assertThat(MetricsText.number(Double.NaN)).isEqualTo("NaN");
        assertThat(MetricsText.number(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(MetricsText.number(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
        assertThat(MetricsText.number(1e20)).isEqualTo("1.0E20");
    }

    @Test
    void countersEndInTotalAndPostgresExporterNamesWithoutItAreUntyped() {
        for (MetricFamily f : MetricFamily.ALL.values()) {
            assertThat(f.name()).matches("(pg|pgbox)_[a-z0-9_]+");
            if (f.type() == MetricFamily.Type.COUNTER) {
                assertThat(f.name()).as(f.name()).endsWith("_total");
            }
            if (f.type() == MetricFamily.Type.GAUGE) {
                assertThat(f.name()).as(f.name()).doesNotEndWith("_count").doesNotEndWith("_total");
            }
        }
        assertThat(MetricFamily.ALL.get("pg_stat_bgwriter_checkpoints_timed_total").type()).isEqualTo(MetricFamily.Type.COUNTER);
        assertThat(MetricFamily.ALL.get("pg_stat_database_xact_commit").type()).isEqualTo(MetricFamily.Type.UNTYPED);
        assertThat(MetricFamily.ALL.get("pg_stat_database_numbackends").type()).isEqualTo(MetricFamily.Type.GAUGE);
        assertThat(MetricFamily.ALL).containsKeys("pg_up", "pg_replication_lag", "pg_database_size_bytes", "pg_stat_activity_count",
                "pg_stat_activity_max_tx_duration", "pg_locks_count", "pg_settings_max_connections", "pg_postmaster_start_time_seconds",
                "pgbox_doctor_findings", "pgbox_last_backup_age_seconds", "pgbox_last_drill_age_seconds");
    }

    @Test
    void ownSamplesGoInAsJsonAndTheAnswerComesBackAsSamples() {
        String json = MetricsSql.toJson(List.of(MetricSample.of("pgbox_doctor_findings", "severity", "warn", 2)));
        assertThat(json).isEqualTo("[{\"name\":\"pgbox_doctor_findings\",\"labels\":{\"severity\":\"warn\"},\"value\":2.0}]");
        List<MetricSample> back = MetricsSql.parse("[[\"pg_up\", {}, 1], [\"pg_locks_count\", {\"datname\": \"a\", \"mode\": \"sharelock\"}, 3], "
                + "[\"pg_replication_lag\", {}, \"NaN\"]]");
        assertThat(back).hasSize(3);
        assertThat(back.get(0)).isEqualTo(MetricSample.of("pg_up", 1));
        assertThat(back.get(1).labels()).containsExactly(Map.entry("datname", "a"), Map.entry("mode", "sharelock"));
        assertThat(back.get(2).value()).isNaN();
    }

    @Test
    void theStatementsPassPsqlsGuardAndOnlyTheKeepingOneWritesTheHistory() {
        ScriptGuard.check(MetricsSql.READ);
        ScriptGuard.check(MetricsSql.READ_AND_KEEP);
        ScriptGuard.check(MetricsSql.ENSURE_SCHEMA);
        assertThat(MetricsSql.READ).doesNotContain("INSERT", "DELETE", "%s");
        assertThat(MetricsSql.READ_AND_KEEP).contains("INSERT INTO pgbox.metric_samples", "DELETE FROM pgbox.metric_samples");
        assertThat(MetricsSql.ENSURE_SCHEMA).contains("REVOKE ALL ON SCHEMA pgbox FROM PUBLIC");
    }
}
