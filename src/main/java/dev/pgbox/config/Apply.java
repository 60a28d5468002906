package dev.pgbox.config;

/** When a changed setting takes effect. */
public enum Apply {
    /** PostgreSQL must restart (pgbox restart). */
    RESTART("restart"),
    /** A configuration reload is enough (pgbox tune --apply, or pgbox start while running). */
    RELOAD("reload"),
    /** Read by pgbox on its next start (roles, databases, paths). */
    START("start"),
    /** Fixed when the cluster is created; changing it later needs a new cluster. */
    INIT("init"),
    /** Read by pgbox itself on every command. */
    PGBOX("pgbox");

    private final String label;

    Apply(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
