package dev.pgbox.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import org.junit.jupiter.api.Test;

class PartitionSpecTest {
    @Test
    void keywordsPassAndAmountsMeaningAKeywordBecomeIt() {
        assertThat(PartitionSpec.of("created_at", "monthly", 3, null, null).interval()).isEqualTo("monthly");
        assertThat(PartitionSpec.of("created_at", "1 month", 3, null, null).interval()).isEqualTo("monthly");
        assertThat(PartitionSpec.of("created_at", "3 Months", 3, null, null).interval()).isEqualTo("quarterly");
        assertThat(PartitionSpec.of("created_at", "7 days", 3, null, null).interval()).isEqualTo("7 days");
        assertThat(PartitionSpec.of("created_at", "2 weeks", 3, null, null).interval()).isEqualTo("2 weeks");
        assertThat(PartitionSpec.of("created_at", "daily", 3, null, null).seconds()).isEqualTo(86_400);
        assertThat(PartitionSpec.of("created_at", "quarter-hour", 3, null, null).seconds()).isEqualTo(900);
    }

    @Test
    void badIntervalsAreUsageErrors() {
        for (String bad : new String[] {"fortnightly", "", "0 days", "1 month; drop table x", "5 minutes", "-1 day", "1.5 months"}) {
            assertThatThrownBy(() -> PartitionSpec.of("created_at", bad, 3, null, null)).as(bad)
                    .isInstanceOfSatisfying(PgboxException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USAGE))
                    .hasMessageContaining("--interval");
        }
    }

    @Test
    void retentionIsAnAmountAtLeastOneIntervalLongOrNone() {
        assertThat(PartitionSpec.of("created_at", "monthly", 3, "12 months", null).retention()).isEqualTo("12 months");
        assertThat(PartitionSpec.of("created_at", "monthly", 3, "1 Year", null).retention()).isEqualTo("1 year");
        assertThat(PartitionSpec.of("created_at", "monthly", 3, "none", null).retention()).isEmpty();
        assertThat(PartitionSpec.of("created_at", "monthly", 3, null, null).retention()).isNull();
        assertThatThrownBy(() -> PartitionSpec.of("created_at", "monthly", 3, "2 weeks", null))
                .isInstanceOfSatisfying(PgboxException.class, e -> assertThat(e.reason()).contains("shorter than one partition"));
        assertThatThrownBy(() -> PartitionSpec.of("created_at", "monthly", 3, "12 monthz", null)).hasMessageContaining("--retention");
        assertThatThrownBy(() -> PartitionSpec.of("created_at", "daily", 3, "90 minutes", null)).hasMessageContaining("--retention");
    }

    @Test
    void premakeColumnAndStartAreChecked() {
        assertThatThrownBy(() -> PartitionSpec.of("created_at", "monthly", 0, null, null)).hasMessageContaining("--premake 0");
        assertThatThrownBy(() -> PartitionSpec.of("created_at", "monthly", 501, null, null)).hasMessageContaining("--premake");
        assertThatThrownBy(() -> PartitionSpec.of("Created At", "monthly", 3, null, null)).hasMessageContaining("--column");
        assertThatThrownBy(() -> PartitionSpec.of("x\"; drop", "monthly", 3, null, null)).hasMessageContaining("--column");
        assertThat(PartitionSpec.of("created_at", "monthly", 3, null, "2025-01-01").start()).isEqualTo("2025-01-01");
        assertThat(PartitionSpec.of("created_at", "monthly", 3, null, "2025-01-01T10:30").start()).isEqualTo("2025-01-01 10:30");
        assertThatThrownBy(() -> PartitionSpec.of("created_at", "monthly", 3, null, "2025-02-30")).hasMessageContaining("--start");
        assertThatThrownBy(() -> PartitionSpec.of("created_at", "monthly", 3, null, "yesterday")).hasMessageContaining("--start");
    }

    @Test
    void columnTypesThatCanBeTimePartitioned() {
        PartitionSpec monthly = PartitionSpec.of("created_at", "monthly", 3, null, null);
        assertThat(monthly.typeProblem("timestamp with time zone")).isNull();
        assertThat(monthly.typeProblem("timestamp without time zone")).isNull();
        assertThat(monthly.typeProblem("date")).isNull();
        assertThat(monthly.typeProblem("bigint")).contains("bigint");
        assertThat(monthly.typeProblem("text")).contains("timestamptz");
        assertThat(PartitionSpec.of("created_at", "hourly", 3, null, null).typeProblem("date")).contains("shorter than a day");
    }
}
