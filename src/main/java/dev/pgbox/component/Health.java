package dev.pgbox.component;

/**
 * One component's state, as status, the doctor and metrics show it.
 *
 * @param component the component's name ("postgresql", "pgbackrest", "agent")
 * @param state what it is doing
 * @param detail one line of facts (pid, version, last archived WAL, ...)
 * @param fix what to run when the state is not {@link State#UP}; null when nothing is wrong
 */
public record Health(String component, State state, String detail, String fix) {

    /** UP works; DEGRADED runs with a problem; DOWN should run and does not; OFF is switched off by a setting. */
    public enum State { UP, DEGRADED, DOWN, OFF }

    public static Health up(String component, String detail) {
        return new Health(component, State.UP, detail, null);
    }

    public static Health off(String component, String why) {
        return new Health(component, State.OFF, why, null);
    }

    public boolean ok() {
        return state == State.UP || state == State.OFF;
    }
}
