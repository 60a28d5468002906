package dev.pgbox.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code pgbox --version}: the version and the git commit the jar was built from, read from
 * {@code dev/pgbox/build.properties}, which Maven fills in at build time (the jar may be copied far
 * from its clone). A build without .git (a source tarball) leaves Maven's placeholders in place;
 * they read as "unknown".
 */
final class BuildVersion implements IVersionProvider {
    static final String RESOURCE = "/dev/pgbox/build.properties";

    @Override
    public String[] getVersion() {
        Properties p = new Properties();
        try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // an unreadable resource is the same as a missing one: every field reads as unknown
        }
        return new String[] {line(p)};
    }

    /** {@code pgbox 0.1.0 (1a2b3c4)}, {@code pgbox 0.1.0 (1a2b3c4, dirty)} or {@code pgbox 0.1.0 (unknown)}. */
    static String line(Properties p) {
        String version = known(p.getProperty("version"));
        String commit = known(p.getProperty("commit"));
        boolean dirty = "true".equals(p.getProperty("dirty"));
        String build = commit == null ? "unknown" : commit + (dirty ? ", dirty" : "");
        return "pgbox " + (version == null ? "unknown" : version) + " (" + build + ")";
    }

    /** A value Maven did not fill in (empty, or still {@code ${...}}) is unknown: null. */
    private static String known(String value) {
        return value == null || value.isBlank() || value.contains("${") ? null : value.strip();
    }
}
