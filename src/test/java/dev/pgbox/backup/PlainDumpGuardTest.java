package dev.pgbox.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** Plain dumps reach psql only in pg_dump's guarded shape. */
class PlainDumpGuardTest {
    private static final String KEY = "GmvMndaTJYV8TPrPaKUvfMIi3bQldNEw3NPh0DUt1OcBEuIJZSKQiiGnuxLv3G3";
    private static final String HEAD = "--\n-- PostgreSQL database dump\n--\n\n\\restrict " + KEY + "\n\n-- Dumped by pg_dump\n";
    private static final String TAIL = "\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict " + KEY + "\n\n";

    private static String problem(String text) throws Exception {
        return PlainDumpGuard.problem(new BufferedReader(new StringReader(text)));
    }

    @Test
    void pgDumpsOwnShapePasses() throws Exception {
        assertThat(problem(HEAD + "SET standard_conforming_strings = on;\nCOPY public.t (a) FROM stdin;\n\\\\x\n\\.\n" + TAIL)).isNull();
    }

    @Test
    void anythingElseIsRefused() throws Exception {
        assertThat(problem("SELECT 1;\n\\! touch /tmp/pwned\n")).contains("before pg_dump's \\restrict");
        assertThat(problem("-- only comments\n")).contains("no \\restrict line");
        assertThat(problem("\\! id\n" + HEAD + TAIL)).contains("line 1");
        assertThat(problem("-- x\r\\! id\n" + HEAD + TAIL)).contains("line 2"); // psql ends a comment at \r, and so does readLine
        assertThat(problem(HEAD + "SELECT 1; \\unrestrict " + KEY + "\n\\! id\n" + TAIL)).contains("exactly one");
        assertThat(problem(HEAD + "\\unrestrict " + KEY + "\n\\! id\n")).contains("the last");
        assertThat(problem(HEAD + "SELECT 1;\n\\unrestrict otherkey0123456789\n")).contains("key");
        assertThat(problem(HEAD + "SELECT 1;\n")).contains("exactly one");
        assertThat(problem(HEAD + "SELECT '\0';\n" + TAIL)).contains("NUL");
    }
}
