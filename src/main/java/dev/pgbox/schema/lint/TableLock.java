package dev.pgbox.schema.lint;

/** A lock a statement takes on a table: what the live server's locks are compared with. */
record TableLock(TableRef table, LockMode mode) {
}
