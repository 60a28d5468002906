package dev.pgbox.tune;

/**
 * What the tuning plan is made for.
 *
 * @param ramBytes RAM of the machine (or its cgroup limit), bytes
 * @param cpus usable CPUs
 * @param ssd whether the data dir is on SSD/NVMe
 * @param diskBytes size of the filesystem holding the data dir, bytes (0 = unknown)
 * @param ramSource how ramBytes was found, for reasons ("detected", ".env.dev")
 * @param diskSource how ssd was found
 */
public record Machine(long ramBytes, int cpus, boolean ssd, long diskBytes, String ramSource, String diskSource) {
}
