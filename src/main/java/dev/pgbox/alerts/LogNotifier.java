package dev.pgbox.alerts;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Always on: every notification goes to the agent's log (or the command's output) and the alerts log file. */
public final class LogNotifier implements Notifier {
    private final AlertFiles files;
    private final Consumer<String> log;

    public LogNotifier(AlertFiles files, Consumer<String> log) {
        this.files = files;
        this.log = log;
    }

    @Override
    public String name() {
        return "log";
    }

    @Override
    public String target() {
        return files.logFile().toString();
    }

    @Override
    public void send(Message m) throws NotifyException {
        List<String> lines = new ArrayList<>();
        for (Alert a : m.alerts()) {
            String line = a.at() + " " + a.line().replace("\n    ", " | ");
            lines.add(line);
            log.accept("alert: " + line);
        }
        try {
            files.appendLog(lines);
        } catch (IOException | RuntimeException e) {
            throw new NotifyException("cannot append to " + files.logFile() + ": " + e.getMessage());
        }
    }
}
