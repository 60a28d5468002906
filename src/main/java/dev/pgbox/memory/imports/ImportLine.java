package dev.pgbox.memory.imports;

import dev.pgbox.memory.NewMemory;

/**
 * One memory read from an import file.
 *
 * @param line the 1-based line it starts on (what errors and the resume position name)
 */
public record ImportLine(long line, NewMemory memory) {
}
