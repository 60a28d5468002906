package dev.pgbox.service;

import java.util.List;

/**
 * What {@code pgbox install --check} finds: every component's requirements, present or missing.
 *
 * @param components one entry per requirement, in component order (the name is historical: entries
 *     were called components before components had requirements)
 * @param installCommands what a non-root user must run as root to install what is missing; null when complete
 */
public record InstallReport(int postgresMajor, boolean complete, List<Entry> components, List<String> installCommands) {

    /**
     * One requirement of one component.
     *
     * @param component the component that needs it ("postgresql", "pgbackrest", ...)
     */
    public record Entry(String name, boolean present, List<String> packages, String component) {
    }

    public List<Entry> missing() {
        return components.stream().filter(e -> !e.present()).toList();
    }
}
