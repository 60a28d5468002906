package dev.pgbox.component;

import dev.pgbox.Progress;
import dev.pgbox.install.Requirement;
import java.util.List;
import java.util.Map;

/**
 * A part of a pgbox server that runs or is configured on this machine: PostgreSQL, pgBackRest, the
 * agent (later PgBouncer, Patroni, etcd). Each declares what it needs installed, renders its
 * configuration without writing anything (unit-tested on fixtures), and can be brought to its wanted
 * state, stopped and checked. {@code pgbox start} reconciles every component in order, {@code pgbox
 * stop} stops them in reverse, {@code pgbox status} merges their health, {@code pgbox install --check}
 * lists their requirements. Adding a component is adding one class to {@link Components}.
 */
public interface Component {

    /** Short lowercase name, used in status and --json ("postgresql", "pgbackrest", "agent"). */
    String name();

    /** What must be on the machine for the project's PostgreSQL major (checked by reading files, so instant). */
    List<Requirement> requirements(Project project);

    /**
     * The configuration files it owns, by file name, as pgbox would write them now. Writes nothing and
     * starts nothing; the static renderer behind it is pure.
     */
    Map<String, String> render(Project project);

    /**
     * Brings it to the wanted state (configured, running when enabled). Returns what was done, in words,
     * and the project as it is afterwards, for the components after it (PostgreSQL's first start
     * generates the password into the settings).
     */
    Reconciled reconcile(Project project, Progress progress);

    /** Stops it if it runs; returns what was done, in words (empty when it was not running or has no process). */
    List<String> stop(Project project);

    /** Its health now; never throws for a component that is down. */
    Health health(Project project);

    /** What reconcile did, and the project afterwards. */
    record Reconciled(Project project, List<String> actions) {
    }
}
