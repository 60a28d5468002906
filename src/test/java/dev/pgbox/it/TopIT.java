package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code pgbox top} for real inside tmux (a private server socket, a 160 x 40 pane): the header and a
 * session of the test running pg_sleep show up, its long query is cut at the pane's edge, {@code q}
 * (and, in another run, Ctrl-C) ends it with the alternate screen left and the tty mode restored. Then
 * {@code --once --json} without a terminal.
 */
@Timeout(240)
class TopIT {
    static final String TMUX = "/usr/bin/tmux";
    static final String MARKER = "top_sleep_marker";
    static PgboxProject project;
    static Connection sleeper;
    static int sleeperPid;
    static ExecutorService pool;
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        project = PgboxProject.create("top");
        project.ok("start");
        sleeper = project.connectApp();
        try (Statement st = sleeper.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            sleeperPid = rs.getInt(1);
        }
        pool = Executors.newSingleThreadExecutor();
        pool.submit(() -> {
            try (Statement st = sleeper.createStatement()) {
                st.execute("SELECT pg_sleep(200) AS " + MARKER + ", '" + "y".repeat(300) + "' AS filler");
            }
            return null;
        });
    }

    @AfterAll
    static void stop() throws Exception {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (sleeper != null) {
            sleeper.close(); // the server ends the sleeping backend with the connection
        }
        if (project != null) {
            project.close();
        }
    }

    @AfterEach
    void killTmux() throws Exception {
        if (tmp != null) {
            tmux("kill-server");
            try (var s = Files.walk(tmp)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Runs a tmux client against the test's private server; returns its output. */
    String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(TMUX, "-S", tmp.resolve("sock").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("POSTGRES_") || k.startsWith("PGBOX_") || k.equals("TMUX"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }

    /** Starts pgbox top as the pane's program; the script then prints its exit code and the tty mode. */
    void startTop() throws Exception {
        tmp = Files.createTempDirectory(Path.of("/tmp"), "pgbox-top-tmux-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path script = tmp.resolve("run.sh");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the trap keeps the script alive when Ctrl-C interrupts pgbox, so it can report what pgbox left behind
        Files.writeString(script, "#!/bin/sh\ntrap 'echo INTERRUPTED' INT\n"
                + java + " -jar " + PgboxProject.JAR + " --project " + project.dir() + " top --interval 1\n"
                + "echo EXIT=$?\nstty -a\nexec sleep 600\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        tmux("new-session", "-d", "-x", "160", "-y", "40", script.toString());
    }

    String await(Predicate<String> ready, String what) throws Exception {
        String screen = "";
        for (int i = 0; i < 120; i++) {
            screen = tmux("capture-pane", "-p");
            if (ready.test(screen)) {
                return screen;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the pane never showed " + what + "; it shows:\n" + screen);
    }

    String alternateScreen() throws Exception {
        return tmux("display-message", "-p", "#{alternate_on}").strip();
    }

    String awaitLiveView() throws Exception {
        String screen = await(s -> s.contains("pgbox top - PostgreSQL") && s.contains(MARKER) && s.contains("tps"),
                "the header and the sleeping session");
        assertThat(alternateScreen()).isEqualTo("1");
        return screen;
    }

    static void assertTtyRestored(String screen) {
        // stty -a lists icanon and echo; a mode left raw would show -icanon and -echo
        assertThat(screen).containsPattern("(?m)(^|\\s)icanon(\\s|$)").containsPattern("(?m)(^|\\s)echo(\\s|$)")
                .doesNotContain("-icanon");
    }

    @Test
    void showsTheSleepingSessionAndQuitsWithQ() throws Exception {
        startTop();
        String screen = awaitLiveView();
        String row = screen.lines().filter(l -> l.contains(MARKER)).findFirst().orElseThrow();
        assertThat(row).contains(Integer.toString(sleeperPid)).contains("active").contains("Timeout:PgSleep").contains("app");
        // the 300-character query is cut at the pane's edge, not wrapped onto the next lines
        assertThat(screen.lines()).noneMatch(l -> l.startsWith("yyyy"));
        assertThat(row.length()).isLessThanOrEqualTo(160);

        tmux("send-keys", "q");
        String after = await(s -> s.contains("EXIT="), "pgbox's exit");
        assertThat(after).contains("EXIT=0").doesNotContain("pgbox top - PostgreSQL");
        assertThat(alternateScreen()).isEqualTo("0");
        assertTtyRestored(after);
    }

    @Test
    void ctrlCAlsoRestoresTheTerminal() throws Exception {
        startTop();
        awaitLiveView();
        tmux("send-keys", "C-c");
        String after = await(s -> s.contains("EXIT="), "pgbox's exit");
        assertThat(after).contains("EXIT=130");
        assertThat(alternateScreen()).isEqualTo("0");
        assertTtyRestored(after);
    }

    @Test
    void onceWithJsonPrintsTheSnapshotWithoutATerminal() throws Exception {
        JsonNode s = new ObjectMapper().readTree(project.ok("top", "--once", "--json").stdout());
        assertThat(s.path("version").asText()).startsWith("15");
        assertThat(s.path("max_connections").asInt()).isPositive();
        assertThat(s.path("connections").asInt()).isGreaterThanOrEqualTo(1);
        List<JsonNode> sessions = new ArrayList<>();
        s.path("sessions").forEach(sessions::add);
        assertThat(sessions).anyMatch(n -> n.path("pid").asInt() == sleeperPid && n.path("query").asText().contains(MARKER));

        // not a terminal and no --once: one snapshot, said so on stderr
        PgboxProject.Run plain = project.ok("top");
        assertThat(plain.stdout()).contains("pgbox top - PostgreSQL").contains(MARKER);
        assertThat(plain.stderr()).contains("not a terminal");
        assertThat(project.pgbox("top", "--interval", "0").exitCode()).isEqualTo(2);
    }
}
