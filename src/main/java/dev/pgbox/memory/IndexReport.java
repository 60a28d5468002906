package dev.pgbox.memory;

import java.util.List;

/**
 * What 'memory index' chose and did.
 *
 * @param index the vector index's name (np_NAME_embedding_idx)
 * @param type hnsw or ivfflat
 * @param reasons why each parameter (the rule, or "given")
 * @param estimatedBytes the build's estimated memory (see IndexSize)
 * @param currentIndexBytes the size on disk of the index before the build (null when there was none)
 * @param serverMaintenanceWorkMem the server's maintenance_work_mem, e.g. 64MB
 * @param maintenanceWorkMem what the build ran (or would run) with
 * @param memoryRaised whether the build got more than the server's value
 * @param memoryFits whether the estimate fits in maintenanceWorkMem
 * @param memoryBoundBytes the most a build may be given
 * @param memoryRule the bound's rule in words
 * @param memory one line on the memory decision
 * @param parallelWorkers max_parallel_maintenance_workers of the build (PostgreSQL may use fewer for a small table)
 * @param built false for --dry-run
 * @param definition the new index's definition (pg_get_indexdef), null for --dry-run
 * @param phases the build phases seen in pg_stat_progress_create_index, in order
 * @param notices the server's notices during the build (e.g. pgvector's "graph no longer fits")
 */
public record IndexReport(String app, String collection, String index, String type, Integer m, Integer efConstruction, Integer lists,
                          long rows, int dim, String metric, List<String> reasons, long estimatedBytes, Long currentIndexBytes,
                          String serverMaintenanceWorkMem, String maintenanceWorkMem, boolean memoryRaised, boolean memoryFits,
                          long memoryBoundBytes, String memoryRule, String memory, int parallelWorkers, boolean built, String definition,
                          List<String> phases, List<String> notices, long millis) {
}
