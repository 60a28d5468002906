package dev.pgbox.exec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One external program run: an absolute binary path plus arguments (never a shell string), extra
 * environment, the OS user it must run as, optional standard input, and a timeout. Secrets go in
 * {@link #env} or {@link #stdin}, never in {@link #args}: argv is visible to every user in ps.
 */
public final class Command {
    private final String program;
    private final List<String> args;
    private final Map<String, String> env;
    private final String runAs;
    private final Path workDir;
    private final byte[] stdin;
    private final Duration timeout;

    private Command(Builder b) {
        this.program = b.program;
        this.args = List.copyOf(b.args);
        this.env = Map.copyOf(b.env);
        this.runAs = b.runAs;
        this.workDir = b.workDir;
        this.stdin = b.stdin;
        this.timeout = b.timeout;
    }

    public static Builder of(String program, String... args) {
        return new Builder(program).args(args);
    }

    public static Builder of(Path program, String... args) {
        return of(program.toString(), args);
    }

    public String program() {
        return program;
    }

    public List<String> args() {
        return args;
    }

    public Map<String, String> env() {
        return env;
    }

    /** OS user to run as (via runuser when we are root), or null for the current user. */
    public String runAs() {
        return runAs;
    }

    public Path workDir() {
        return workDir;
    }

    public byte[] stdin() {
        return stdin;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Short name for messages: the program's file name. */
    public String name() {
        return Path.of(program).getFileName().toString();
    }

    /** The command line for messages and logs; contains no secrets by construction. */
    public String display() {
        StringBuilder sb = new StringBuilder(program);
        for (String a : args) {
            sb.append(' ').append(a.contains(" ") ? "'" + a + "'" : a);
        }
        return sb.toString();
    }

    public static final class Builder {
        private final String program;
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String runAs;
        private Path workDir;
        private byte[] stdin;
        private Duration timeout = Duration.ofMinutes(2);

        private Builder(String program) {
            this.program = Objects.requireNonNull(program);
        }

        public Builder args(String... more) {
            args.addAll(List.of(more));
            return this;
        }

        public Builder args(List<String> more) {
            args.addAll(more);
            return this;
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public Builder runAs(String osUser) {
            this.runAs = osUser;
            return this;
        }

        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        public Builder stdin(byte[] input) {
            this.stdin = input;
            return this;
        }

        public Builder stdin(String input) {
            return stdin(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        public Builder timeout(Duration t) {
            this.timeout = t;
            return this;
        }

        public Command build() {
            return new Command(this);
        }
    }
}
