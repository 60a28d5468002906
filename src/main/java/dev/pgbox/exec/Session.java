package dev.pgbox.exec;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A long-lived program fed line by line (psql holding a transaction open while pg_dump uses its
 * exported snapshot). Standard error is merged into the output; {@link #close()} ends the program.
 */
public final class Session implements AutoCloseable {
    private final Command command;
    private final Process process;
    private final Writer in;
    private final BufferedReader out;

    Session(Command command, Process process) {
        this.command = command;
        this.process = process;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Sends text, then reads output lines until one equals {@code marker}; returns the lines before it. */
    public List<String> exchange(String text, String marker) {
        try {
            in.write(text);
            in.flush();
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = out.readLine()) != null) {
                if (line.equals(marker)) {
                    return lines;
                }
                if (line.contains("ERROR:") || line.contains("FATAL:")) {
                    throw new PgboxException(ErrorKind.SQL, command.name() + " session failed", line.replaceFirst("^psql:[^ ]* ", ""),
                            "see the server log");
                }
                lines.add(line);
            }
            throw new PgboxException(ErrorKind.TOOL_FAILED, command.name() + " ended unexpectedly", String.join("\n", lines),
                    "see the server log");
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.TOOL_FAILED, command.name() + " session broke", e.getMessage(), "see the server log");
        }
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
