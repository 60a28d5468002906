package dev.pgbox.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The audit and RLS models print the field names 'security audit', 'rls audit' and 'rls test' --json always printed. */
class SecurityModelsTest {
    @Test
    void aReportWithAHighFindingFailsAndPrintsTheLegacyNames() {
        SecurityReport r = SecurityReport.of(List.of(
                new Finding(Finding.Severity.HIGH, "secrets-mode", "/p/.env.secrets", "readable by others", "chmod 600 /p/.env.secrets"),
                new Finding(Finding.Severity.LOW, "rls-unindexed", "public.docs", "no index", "CREATE INDEX ...")));
        assertThat(r.passed()).isFalse();
        assertThat(r.highCount()).isEqualTo(1);
        JsonNode json = Json.tree(r);
        assertThat(json.path("passed").asBoolean()).isFalse();
        assertThat(json).hasSize(2);
        JsonNode f = json.path("findings").get(0);
        assertThat(f.path("severity").asText()).isEqualTo("high");
        assertThat(f.path("check").asText()).isEqualTo("secrets-mode");
        assertThat(f.path("object").asText()).isEqualTo("/p/.env.secrets");
        assertThat(f.path("detail").asText()).isEqualTo("readable by others");
        assertThat(f.path("fix").asText()).isEqualTo("chmod 600 /p/.env.secrets");
        assertThat(json.path("findings").get(1).path("severity").asText()).isEqualTo("low");
    }

    @Test
    void aReportWithoutHighFindingsPasses() {
        assertThat(SecurityReport.of(List.of()).passed()).isTrue();
        assertThat(Json.tree(SecurityReport.of(List.of(new Finding(Finding.Severity.MEDIUM, "listen", "listen_addresses", "d", "f"))))
                .path("passed").asBoolean()).isTrue();
    }

    @Test
    void anRlsTestReportHasTheLegacyNamesAndFailsOnAnyLeak() {
        Rls.TestResult good = new Rls.TestResult("public.docs", "tenant_id", Rls.Outcome.PASS, Rls.Outcome.PASS, Rls.Outcome.PASS,
                Rls.Outcome.PASS, "");
        Rls.TestResult leaky = new Rls.TestResult("public.leaky", "tenant_id", Rls.Outcome.FAIL, Rls.Outcome.PASS, Rls.Outcome.PASS,
                Rls.Outcome.SKIP, "used two test rows, rolled back");
        assertThat(Rls.TestReport.of(List.of(good)).passed()).isTrue();
        Rls.TestReport report = Rls.TestReport.of(List.of(good, leaky));
        assertThat(report.passed()).isFalse();
        JsonNode json = Json.tree(report);
        assertThat(json.path("passed").asBoolean()).isFalse();
        JsonNode row = json.path("tables").get(1);
        assertThat(row.path("table").asText()).isEqualTo("public.leaky");
        assertThat(row.path("tenant_column").asText()).isEqualTo("tenant_id");
        assertThat(row.path("read_other").asText()).isEqualTo("fail");
        assertThat(row.path("update_other").asText()).isEqualTo("pass");
        assertThat(row.path("delete_other").asText()).isEqualTo("pass");
        assertThat(row.path("insert_other").asText()).isEqualTo("skip");
        assertThat(row.path("note").asText()).isEqualTo("used two test rows, rolled back");
        assertThat(row).hasSize(7);
        assertThat(json.path("tables").get(0).path("note").isTextual()).isTrue(); // an empty note is still printed
    }

    @Test
    void enabledNamesWhatItDid() {
        JsonNode json = Json.tree(new Rls.Enabled("alpha", "public.docs", "tenant_id", "uuid"));
        assertThat(json.path("database").asText()).isEqualTo("alpha");
        assertThat(json.path("type").asText()).isEqualTo("uuid");
    }
}
