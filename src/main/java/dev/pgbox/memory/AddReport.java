package dev.pgbox.memory;

import java.util.List;

/** What 'memory add' wrote: the ids of the memories, in the order they were given. */
public record AddReport(String app, String collection, List<String> ids) {
}
