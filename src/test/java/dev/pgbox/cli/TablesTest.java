package dev.pgbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TablesTest {

    @Test
    void cellsFromTheServerCarryNoTerminalControl() {
        // a report or the doctor shows query texts any client wrote: an ESC in them must not reach the terminal
        String table = Tables.aligned(List.of("pid", "query"), List.of(List.of("7", "SELECT 1 -- \u001b[2J\u001b]0;x\u0007 done")));
        assertThat(table).doesNotContain("\u001b", "\u0007").contains("SELECT 1 -- ?[2J?]0;x? done");
        assertThat(table.lines().toList()).first().asString().contains("pid").contains("query");
    }
}
