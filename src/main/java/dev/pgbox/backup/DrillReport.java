package dev.pgbox.backup;

import java.util.List;

/**
 * One restore drill's result, the model of 'pgbox db verify' (and its --json), and of the agent's
 * verify job.
 *
 * @param physicalBackup the label of the physical backup restored
 * @param dumpSet the folder of the dump set compared, or null when there was none
 * @param restoreSeconds how long the restore took (the RTO)
 * @param tablesRead tables read in full (each page's checksum verified)
 * @param tablesCompared tables whose row counts were compared with the dump set's manifest
 */
public record DrillReport(boolean ok, String physicalBackup, String dumpSet, double restoreSeconds, int tablesRead,
                          int tablesCompared, List<String> problems) {
}
