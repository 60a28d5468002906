/**
 * PgBouncer: its configuration (a pure renderer), its process (run as the server's OS user, kept up
 * like the server), the auth_query function in every database, and its admin console (SHOW POOLS,
 * SHOW STATS). Depends on cluster, sql, exec, config and tune; never on component, services or front ends.
 */
package dev.pgbox.pool;
