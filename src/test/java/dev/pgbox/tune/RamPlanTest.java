package dev.pgbox.tune;

import static dev.pgbox.config.Size.GB;
import static dev.pgbox.config.Size.MB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Settings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RamPlanTest {
    @TempDir
    Path dir;

    private Settings settings(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return Settings.load(dir, "dev", env);
    }

    private TuningPlan plan(Settings s) {
        return MachineProbe.plan(s, dir);
    }

    @Test
    void noDefaultConfigExceedsRamFrom512MbTo256Gb() {
        long[] sizes = {512 * MB, 768 * MB, GB, 1536 * MB, 2 * GB, 3 * GB, 4 * GB, 6 * GB, 8 * GB, 12 * GB, 16 * GB, 24 * GB,
            32 * GB, 48 * GB, 64 * GB, 128 * GB, 192 * GB, 256 * GB};
        for (long ram : sizes) {
            for (Profile p : Profile.values()) {
                for (int cpus : new int[] {1, 2, (int) Math.max(1, Math.min(64, ram / (2 * GB)))}) {
                    for (BoxReserve res : new BoxReserve[] {BoxReserve.defaults(), new BoxReserve(10, "t", true, 1000, true),
                        new BoxReserve(10, "t", false, 1000, false)}) {
                        for (int share : new int[] {25, 50, 100}) {
                            TuningPlan t = Tuner.plan(new Machine(ram, cpus, true, 0, "t", "t"), p, share, Map.of(), res);
                            RamBudget b = RamBudget.of(t);
                            String what = ram / MB + "MB " + p + " " + cpus + " CPUs " + share + "% " + res;
                            assertThat(b.fits()).as(what + ": " + b.lines()).isTrue();
                            // a tiny share may not hold PostgreSQL's minimum: said, but RAM still holds it
                            assertThat(b.warnings()).as(what).noneMatch(w -> w.contains("exceeds"));
                            assertThat(Integer.parseInt(t.value("max_connections"))).as(what).isGreaterThanOrEqualTo(Tuner.MIN_CONNECTIONS);
                            assertThat(dev.pgbox.config.Size.parse(t.value("work_mem"))).as(what).isGreaterThanOrEqualTo(MB);
                        }
                    }
                }
            }
        }
    }

    @Test
    void bigBoxesKeepTheProfilesConnectionsAndStockWorkMem() {
        TuningPlan t = Tuner.plan(new Machine(16 * GB, 4, true, 0, "t", "t"), Profile.WEB, 50, Map.of());
        assertThat(t.value("max_connections")).isEqualTo("100");
        assertThat(dev.pgbox.config.Size.parse(t.value("work_mem"))).isGreaterThanOrEqualTo(4 * MB);
        // the IT projects' 2GB: shared_buffers stays 25% of 50%; connections are cut to what fits, and say so
        TuningPlan small = Tuner.plan(new Machine(2 * GB, 2, true, 0, "t", "t"), Profile.WEB, 50, Map.of());
        assertThat(small.value("shared_buffers")).isEqualTo("256MB");
        assertThat(Integer.parseInt(small.value("max_connections"))).isLessThan(100);
        assertThat(small.get("max_connections").orElseThrow().reason()).contains("PgBouncer", "do not fit the RAM plan");
    }

    @Test
    void theHostShareAndThePoolerAndAgentShrinkWhatPostgresPlansFor() {
        Machine m = new Machine(4 * GB, 2, true, 0, "t", "t");
        TuningPlan alone = Tuner.plan(m, Profile.WEB, 100, Map.of(), new BoxReserve(10, "t", false, 1000, false));
        TuningPlan shared = Tuner.plan(m, Profile.WEB, 100, Map.of(), new BoxReserve(50, "t", true, 1000, true));
        assertThat(shared.budgetBytes()).isLessThan(alone.budgetBytes());
        RamBudget b = RamBudget.of(shared);
        assertThat(b.bytes("os_and_services")).isEqualTo(4 * GB / 100 * 50);
        assertThat(b.bytes("pooler")).isEqualTo(BoxReserve.POOLER_BASE_BYTES + 1000 * BoxReserve.POOLER_CLIENT_BYTES);
        assertThat(b.bytes("agent")).isEqualTo(256 * MB + BoxReserve.AGENT_JVM_BYTES + BoxReserve.AGENT_MODEL_BYTES);
        assertThat(b.fits()).isTrue();
        assertThat(b.worstBytes()).isEqualTo(b.lines().stream().mapToLong(RamBudget.Line::bytes).sum());
    }

    @Test
    void explicitValuesWinAndAnOverRamConfigIsWarnedAndRefusedUnlessForced() {
        Settings s = settings("POSTGRES_MEMORY", "1GB", "POSTGRES_MAX_CONNECTIONS", "500", "POSTGRES_WORK_MEM", "64MB");
        TuningPlan t = plan(s);
        assertThat(t.value("max_connections")).isEqualTo("500");
        assertThat(t.value("work_mem")).isEqualTo("64MB");
        RamBudget b = RamBudget.of(t);
        // 500 x (64MB x 2 sorts + 6MB) alone
        assertThat(b.bytes("connections")).isEqualTo(500 * (2 * 64 * MB + BoxReserve.BACKEND_BYTES));
        assertThat(b.fits()).isFalse();
        assertThat(b.warnings()).singleElement().asString().contains("exceeds the 1.0 GB of RAM", "connections");
        assertThatThrownBy(() -> RamPlan.require(s, t, "start")).isInstanceOfSatisfying(PgboxException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.CONFIG);
            assertThat(e.what()).contains("cannot start", "exceeds the 1.0 GB of RAM");
            assertThat(e.reason()).contains("max_connections 500 x (work_mem 64MB");
            assertThat(e.fix()).contains("POSTGRES_MAX_CONNECTIONS", "PGBOX_PLAN_FORCE=on");
        });
        Settings forced = settings("POSTGRES_MEMORY", "1GB", "POSTGRES_MAX_CONNECTIONS", "500", "POSTGRES_WORK_MEM", "64MB",
                "PGBOX_PLAN_FORCE", "on");
        assertThat(RamPlan.require(forced, plan(forced), "start").fits()).isFalse();
        // the same box tuned by pgbox is accepted
        assertThat(RamPlan.require(settings("POSTGRES_MEMORY", "1GB"), plan(settings("POSTGRES_MEMORY", "1GB")), "start").fits()).isTrue();
    }

    @Test
    void explicitConnectionsCutNothingButAnExplicitWorkMemCutsTunedConnections() {
        TuningPlan t = plan(settings("POSTGRES_MEMORY", "2GB", "POSTGRES_WORK_MEM", "16MB"));
        assertThat(t.value("work_mem")).isEqualTo("16MB");
        assertThat(RamBudget.of(t).fits()).isTrue();
        assertThat(Integer.parseInt(t.value("max_connections"))).isLessThan(100);
        TuningPlan c = plan(settings("POSTGRES_MEMORY", "8GB", "POSTGRES_MAX_CONNECTIONS", "300"));
        assertThat(c.value("max_connections")).isEqualTo("300");
        assertThat(RamBudget.of(c).fits()).isTrue();
    }

    @Test
    void poolsOfAllAppsFitMaxConnectionsFor1To50Apps() {
        for (String ram : new String[] {"2GB", "8GB", "64GB"}) {
            Settings s = settings("POSTGRES_MEMORY", ram, "POSTGRES_MAX_CONNECTIONS", "300");
            TuningPlan t = plan(s);
            int room = RamPlan.appRoom(t);
            assertThat(room).isEqualTo(300 - 3 - RamPlan.PGBOX_CONNECTIONS).isGreaterThanOrEqualTo(RamPlan.MIN_SHARE * 50);
            for (int apps = 1; apps <= 50; apps++) {
                RamPlan.PoolSizing p = RamPlan.poolSizing(s, t, apps);
                assertThat(p.maxDbConnections()).as("the pools and a login lookup connection for each")
                        .isEqualTo(p.poolSize() + p.reservePoolSize() + p.sessionPoolSize() + 2 * RamPlan.LOOKUP_CONNECTIONS);
                assertThat(p.poolSize()).isPositive().isLessThanOrEqualTo(RamPlan.poolCap(t));
                assertThat(p.sessionPoolSize()).as("LISTEN and NOTIFY at once").isGreaterThanOrEqualTo(2);
                assertThat((long) apps * p.maxDbConnections()).as(apps + " apps").isLessThanOrEqualTo(room);
                int limit = RamPlan.appConnectionLimit(s, t, apps);
                assertThat(limit).isGreaterThanOrEqualTo(p.maxDbConnections());
                assertThat((long) apps * limit).isLessThanOrEqualTo(room);
            }
        }
        // with tuned connections too
        Settings tuned = settings("POSTGRES_MEMORY", "8GB");
        TuningPlan t = plan(tuned);
        for (int apps = 1; apps <= 50; apps++) {
            if (RamPlan.appRoom(t) >= RamPlan.MIN_SHARE * apps) {
                assertThat((long) apps * RamPlan.poolSizing(tuned, t, apps).maxDbConnections()).isLessThanOrEqualTo(RamPlan.appRoom(t));
            }
        }
        assertThat(RamPlan.poolSizing(tuned, t, 1).maxClientConn()).isEqualTo(BoxReserve.DEFAULT_MAX_CLIENT_CONN);
    }

    @Test
    void theItProjectsConfigurationsAreAccepted() {
        // every IT project plans for POSTGRES_MEMORY=2GB; AlertsIT asks for 100 connections, StartIT for 42
        for (String[] extra : new String[][] {{}, {"POSTGRES_MAX_CONNECTIONS", "100"}, {"POSTGRES_MAX_CONNECTIONS", "42"},
            {"POSTGRES_WORK_MEM", "8MB"}, {"POSTGRES_MAINTENANCE_WORK_MEM", "1MB"}, {"PGBOX_AGENT", "off"}}) {
            String[] pairs = new String[extra.length + 2];
            pairs[0] = "POSTGRES_MEMORY";
            pairs[1] = "2GB";
            System.arraycopy(extra, 0, pairs, 2, extra.length);
            Settings s = settings(pairs);
            assertThat(RamPlan.require(s, plan(s), "start").fits()).as(String.join(" ", extra)).isTrue();
        }
    }

    @Test
    void aSettingAboveItsOwnShareOfRamKeepsItsOwnMessage() {
        Settings s = settings("POSTGRES_MEMORY", "2GB", "POSTGRES_SHARED_BUFFERS", "1900MB");
        assertThatThrownBy(() -> RamPlan.require(s, plan(s), "apply the plan")).hasMessageContaining("too big for 2.0 GB of RAM");
    }

    @Test
    void anExplicitAppConnectionLimitWins() {
        Settings s = settings("POSTGRES_MEMORY", "8GB", "PGBOX_APP_CONNECTION_LIMIT", "7");
        assertThat(RamPlan.appConnectionLimit(s, plan(s), 3)).isEqualTo(7);
        Settings d = settings("POSTGRES_MEMORY", "8GB");
        assertThat(RamPlan.appConnectionLimit(d, plan(d), 3)).isEqualTo(RamPlan.appRoom(plan(d)) / 3);
    }

    @Test
    void anHnswBuildMayUseItsLineAndTheHeadroom() {
        RamBudget b = RamBudget.of(plan(settings("POSTGRES_MEMORY", "2GB")));
        assertThat(b.buildRoomBytes()).isEqualTo(b.bytes("index_builds") + b.headroomBytes());
        assertThat(b.headroomBytes()).isPositive();
    }
}
