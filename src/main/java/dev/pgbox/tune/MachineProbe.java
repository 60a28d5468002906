package dev.pgbox.tune;

import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.config.Size;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Reads the machine's RAM, CPUs and disk kind from /proc and /sys, with settings overriding each. */
public final class MachineProbe {
    private MachineProbe() {
    }

    /** The machine as the plan should see it; {@code dataPath} is the data dir or its nearest existing parent. */
    public static Machine probe(Settings s, Path dataPath) {
        long ram;
        String ramSource;
        if (s.isSet(Setting.POSTGRES_MEMORY)) {
            ram = s.bytes(Setting.POSTGRES_MEMORY);
            ramSource = "POSTGRES_MEMORY in " + s.source(Setting.POSTGRES_MEMORY);
        } else {
            ram = detectRam();
            ramSource = "detected";
        }
        int cpus = s.isSet(Setting.POSTGRES_CPUS) ? s.integer(Setting.POSTGRES_CPUS) : Runtime.getRuntime().availableProcessors();
        Path existing = dataPath.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        long disk = 0;
        String device = null;
        if (existing != null) {
            try {
                FileStore store = Files.getFileStore(existing);
                disk = store.getTotalSpace();
                device = store.name();
            } catch (IOException e) {
                // unknown disk: no WAL cap
            }
        }
        String type = s.get(Setting.POSTGRES_DISK_TYPE);
        boolean ssd;
        String diskSource;
        if (type.equals("auto")) {
            Boolean rotational = rotational(device);
            if (rotational != null && rotational && virtualDisk(device)) {
                // virtio and Xen disks report "rotational" whatever backs them; VPS disks are SSD/NVMe
                rotational = null;
                diskSource = "virtual disk " + device + " does not tell its kind, assuming SSD (set POSTGRES_DISK_TYPE=hdd if not)";
            } else {
                diskSource = rotational == null ? "disk kind not detectable, assuming SSD" : "detected from /sys/block";
            }
            ssd = rotational == null || !rotational;
        } else {
            ssd = type.equals("ssd");
            diskSource = "POSTGRES_DISK_TYPE=" + type;
        }
        return new Machine(ram, cpus, ssd, disk, ramSource, diskSource);
    }

    static boolean virtualDisk(String device) {
        String name = device.substring(device.lastIndexOf('/') + 1);
        return name.startsWith("vd") || name.startsWith("xvd");
    }

    /** MemTotal, or the cgroup v2 memory limit when lower. */
    static long detectRam() {
        long total = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    total = Long.parseLong(line.replaceAll("\\D", "")) * Size.KB;
                }
            }
        } catch (IOException | NumberFormatException e) {
            total = Runtime.getRuntime().maxMemory() * 4;
        }
        try {
            String limit = Files.readString(Path.of("/sys/fs/cgroup/memory.max")).strip();
            if (limit.matches("\\d+")) {
                total = Math.min(total, Long.parseLong(limit));
            }
        } catch (IOException e) {
            // no cgroup v2 limit
        }
        return total;
    }

    /** true/false from /sys/class/block/NAME/queue/rotational (or the parent disk's for a partition); null if unknown. */
    static Boolean rotational(String device) {
        if (device == null || !device.startsWith("/dev/")) {
            return null;
        }
        String name = device.substring("/dev/".length());
        Path dev = Path.of("/sys/class/block").resolve(name);
        for (Path candidate : new Path[] {dev.resolve("queue/rotational"), dev.resolve("../queue/rotational")}) {
            try {
                if (Files.exists(candidate)) {
                    return Files.readString(candidate).strip().equals("1");
                }
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    /** The explicit POSTGRES_* values for parameters the plan tunes. */
    public static Map<String, Tuner.Override> overrides(Settings s) {
        Map<String, Tuner.Override> o = new HashMap<>();
        for (Setting setting : Setting.values()) {
            if (setting.guc() != null && s.explicit(setting)) {
                o.put(setting.guc(), new Tuner.Override(s.get(setting), s.source(setting)));
            }
        }
        return o;
    }

    /** The plan for these settings on this machine. */
    public static TuningPlan plan(Settings s, Path dataPath) {
        return Tuner.plan(probe(s, dataPath), Profile.parse(s.get(Setting.POSTGRES_TUNE_PROFILE)),
                s.integer(Setting.POSTGRES_RAM_SHARE), overrides(s), BoxReserve.of(s));
    }
}
