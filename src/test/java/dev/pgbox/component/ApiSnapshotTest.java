package dev.pgbox.component;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.cluster.AgentSecrets;
import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's snapshot carries what its HTTP API needs: the token and every app's login password, and an app made later is added in place. */
class ApiSnapshotTest {
    @TempDir
    Path dir;

    @Test
    void snapshotHoldsTheApiTokenAndEveryAppPasswordButNotTheMainOne() throws IOException {
        Settings s = RenderFixture.settings(dir, "POSTGRES_PORT=6543\n",
                "POSTGRES_PASSWORD=main-pw-1\nPGBOX_API_TOKEN=tok-123\nPGBOX_APP_SHOP_PASSWORD=shop-pw-2\nPGBOX_APP_BLOG_PASSWORD=blog-pw-3\n");
        String env = AgentProcess.snapshot(s, RenderFixture.layout(dir), "agent");
        assertThat(env).contains("PGBOX_API_TOKEN='tok-123'\n").doesNotContain("main-pw-1");
        // sorted, at the end: the same settings always give the same file (start compares it to decide on a restart)
        assertThat(env).endsWith("PGBOX_APP_BLOG_PASSWORD='blog-pw-3'\nPGBOX_APP_SHOP_PASSWORD='shop-pw-2'\n");
        // and the agent reads them back
        Path file = dir.resolve("agent.env");
        Files.writeString(file, env);
        Settings agent = Settings.loadSnapshot(dir, "dev", file);
        assertThat(agent.appSecret("PGBOX_APP_SHOP_PASSWORD")).isEqualTo("shop-pw-2");
        assertThat(agent.get(dev.pgbox.config.Setting.PGBOX_API_TOKEN)).isEqualTo("tok-123");
    }

    @Test
    void anAppPasswordSetLaterChangesOnlyItsLineAndMatchesAFreshSnapshot() throws IOException {
        Layout l = RenderFixture.layout(dir);
        Settings before = RenderFixture.settings(dir, "", "PGBOX_APP_SHOP_PASSWORD=shop-pw\n");
        Files.createDirectories(l.agentSettings().getParent());
        Files.writeString(l.agentSettings(), AgentProcess.snapshot(before, l, "agent"));
        AgentSecrets.put(l, "PGBOX_APP_BLOG_PASSWORD", "blog-pw");
        AgentSecrets.put(l, "PGBOX_APP_SHOP_PASSWORD", "shop-pw-rotated");
        Settings after = before.withAppSecret("PGBOX_APP_BLOG_PASSWORD", "blog-pw").withAppSecret("PGBOX_APP_SHOP_PASSWORD", "shop-pw-rotated");
        assertThat(Files.readString(l.agentSettings())).isEqualTo(AgentProcess.snapshot(after, l, "agent"));
        assertThat(Files.getPosixFilePermissions(l.agentSettings())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Settings.loadSnapshot(dir, "dev", l.agentSettings()).appSecret("PGBOX_APP_BLOG_PASSWORD")).isEqualTo("blog-pw");
    }

    @Test
    void noSnapshotNoFile() {
        Layout l = RenderFixture.layout(dir);
        AgentSecrets.put(l, "PGBOX_APP_BLOG_PASSWORD", "blog-pw");
        assertThat(l.agentSettings()).doesNotExist();
    }
}
