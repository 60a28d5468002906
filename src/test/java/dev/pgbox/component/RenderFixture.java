package dev.pgbox.component;

import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Settings;
import dev.pgbox.install.PgInstallation;
import dev.pgbox.tune.Machine;
import dev.pgbox.tune.Profile;
import dev.pgbox.tune.Tuner;
import dev.pgbox.tune.TuningPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The fixed project the renderer tests share: settings from given .env text, folders under one dir, an 8 GB / 2-CPU machine. */
final class RenderFixture {
    private RenderFixture() {
    }

    static Settings settings(Path dir, String env, String secrets) throws IOException {
        Files.writeString(dir.resolve(".env.dev"), env);
        Files.writeString(dir.resolve(".env.secrets"), secrets);
        return Settings.load(dir, null, Map.of());
    }

    static Layout layout(Path dir) {
        return new Layout(dir, dir.resolve("st"), dir.resolve("st/data"), dir.resolve("st/run"), dir.resolve("st/log"),
                "postgres", PgInstallation.of(15), false);
    }

    static TuningPlan plan() {
        return Tuner.plan(new Machine(8L << 30, 2, true, 0, "t", "t"), Profile.WEB, 50, Map.of());
    }
}
