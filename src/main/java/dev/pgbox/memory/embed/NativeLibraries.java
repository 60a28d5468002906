package dev.pgbox.memory.embed;

import ai.onnxruntime.OrtEnvironment;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.zip.CRC32;

/**
 * The native libraries of the embedder (ONNX Runtime's two and DJL's Hugging Face tokenizer), extracted
 * once per version into ONE folder pgbox owns, instead of where the libraries would put them: ONNX Runtime
 * unpacks into a new {@code java.io.tmpdir/onnxruntime-java*} folder on every start and leaves that folder
 * behind, and DJL unpacks into {@code ~/.djl.ai}.
 *
 * <p>The folder is {@code java.io.tmpdir/pgbox-UID-native/lib-CHECKSUM} (so root's CLI and the agent
 * running as the postgres OS user each have their own, mode 0700, checked to belong to the current user
 * and to be writable by nobody else before anything in it is loaded), or the folder named by the system
 * property {@value #DIR_PROPERTY}. CHECKSUM is taken over the bundled libraries, so a pgbox built with
 * other library versions extracts into a new folder and never loads a stale copy. Files are written
 * under a temporary name and renamed into place, so two pgbox processes starting at once never load a
 * half-written library.
 *
 * <p>The libraries are then pointed at that folder through the system properties they read:
 * {@code onnxruntime.native.path} (ONNX Runtime), {@code RUST_LIBRARY_PATH} (DJL's tokenizer library file),
 * {@code DJL_CACHE_DIR}/{@code ENGINE_CACHE_DIR} (anything else DJL would cache) and
 * {@code ai.djl.offline=true} (DJL never downloads) and, unless set already, {@code jna.tmpdir} (DJL
 * probes for CUDA through JNA, which would unpack its library under ~/.cache/JNA). ONNX Runtime still creates an (empty) temporary
 * folder while it loads; it is removed as soon as the library is loaded.
 */
final class NativeLibraries {
    /** System property: the folder to extract the native libraries into, instead of the per-user one in java.io.tmpdir. */
    static final String DIR_PROPERTY = "pgbox.native.dir";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final String ORT_LOGGER = "ai.onnxruntime.OnnxRuntime";

    private static volatile Path loaded;

    private NativeLibraries() {
    }

    /** The bundled libraries of this platform: resource path, file name, and whether ONNX Runtime or DJL loads it. */
    private record Library(String resource, String fileName) {
    }

    /**
     * Extracts the libraries (when not yet there), points ONNX Runtime and DJL at them and loads ONNX
     * Runtime. Idempotent; returns the folder.
     */
    static synchronized Path prepare() {
        if (loaded != null) {
            return loaded;
        }
        List<Library> libraries = bundled();
        Path folder = folder(libraries);
        for (Library lib : libraries) {
            extract(lib, folder);
        }
        System.setProperty("onnxruntime.native.path", folder.toString());
        // the file, not the folder: DJL 0.36 fails on a folder when no CUDA is found (a null CUDA arch)
        System.setProperty("RUST_LIBRARY_PATH", folder.resolve("libtokenizers.so").toString());
        System.setProperty("DJL_CACHE_DIR", folder.toString());
        System.setProperty("ENGINE_CACHE_DIR", folder.toString());
        System.setProperty("ai.djl.offline", "true");
        if (System.getProperty("jna.tmpdir") == null) {
            // DJL probes for CUDA through JNA, which unpacks its own library into ~/.cache/JNA otherwise
            System.setProperty("jna.tmpdir", folder.toString());
        }
        loadOnnxRuntime();
        loaded = folder;
        return folder;
    }

    private static List<Library> bundled() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        boolean arm = arch.equals("aarch64") || arch.equals("arm64");
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux") || !(x64 || arm)) {
            throw new PgboxException(ErrorKind.CONFIG, "no embedding runtime for " + os + "/" + arch,
                    "pgbox carries ONNX Runtime and the tokenizer for Linux on x86-64 and arm64 only",
                    "run pgbox on Debian 12 (x86-64 or arm64), or supply vectors (--model external)");
        }
        String ort = "ai/onnxruntime/native/" + (x64 ? "linux-x64" : "linux-aarch64") + "/";
        String djl = "native/lib/" + (x64 ? "linux-x86_64" : "linux-aarch64") + "/cpu/";
        return List.of(new Library(ort + "libonnxruntime.so", "libonnxruntime.so"),
                new Library(ort + "libonnxruntime4j_jni.so", "libonnxruntime4j_jni.so"),
                new Library(djl + "libtokenizers.so", "libtokenizers.so"));
    }

    /** The per-user, per-version folder, created 0700 and checked. */
    private static Path folder(List<Library> libraries) {
        String given = System.getProperty(DIR_PROPERTY);
        Path base = given != null && !given.isBlank()
                ? Path.of(given).toAbsolutePath()
                : Path.of(System.getProperty("java.io.tmpdir"), "pgbox-" + uid() + "-native");
        ownedFolder(base);
        return ownedFolder(base.resolve("lib-" + checksum(libraries)));
    }

    /** Creates {@code dir} 0700, or checks that the existing one is a real folder of ours that nobody else can write. */
    static Path ownedFolder(Path dir) {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException e) {
            // checked below
        } catch (IOException e) {
            throw unusable(dir, "it cannot be created: " + e, e);
        }
        try {
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory()) {
                throw unusable(dir, "it is not a folder (or it is a symbolic link)", null);
            }
            if (!owner.equals(uid())) {
                throw unusable(dir, "it belongs to uid " + owner + ", not to this user (uid " + uid() + ")", null);
            }
            Set<PosixFilePermission> p = a.permissions();
            if (p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw unusable(dir, "others may write to it (" + PosixFilePermissions.toString(p) + ")", null);
            }
        } catch (IOException e) {
            throw unusable(dir, "it cannot be read: " + e, e);
        }
        return dir;
    }

    private static PgboxException unusable(Path dir, String cause, Throwable e) {
        return new PgboxException(ErrorKind.PERMISSION, "cannot use " + dir + " for the embedder's native libraries",
                cause,
                "remove " + dir + " (pgbox recreates it), or set -D" + DIR_PROPERTY + "=FOLDER to a folder of your own", e);
    }

    /** This process's user id (the owner of /proc/self). */
    private static Integer uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            throw new PgboxException(ErrorKind.FAILURE, "cannot tell this process's user id",
                    "/proc/self is not readable: " + e, "run pgbox on Linux with /proc mounted");
        }
    }

    /** A checksum over the bundled libraries' checksums and sizes, read from the jar's directory (no unpacking). */
    private static String checksum(List<Library> libraries) {
        CRC32 crc = new CRC32();
        for (Library lib : libraries) {
            URL url = resource(lib);
            try {
                URLConnection c = url.openConnection();
                if (c instanceof JarURLConnection jar) {
                    jar.setUseCaches(false);
                    crc.update(Long.toString(jar.getJarEntry().getCrc()).getBytes());
                    crc.update(Long.toString(jar.getJarEntry().getSize()).getBytes());
                } else {
                    // an unpacked class folder (development): the file's own size and time
                    crc.update(Long.toString(c.getContentLengthLong()).getBytes());
                    crc.update(Long.toString(c.getLastModified()).getBytes());
                }
            } catch (IOException e) {
                throw missing(lib, e);
            }
        }
        return String.format("%08x", crc.getValue());
    }

    private static URL resource(Library lib) {
        URL url = NativeLibraries.class.getClassLoader().getResource(lib.resource());
        if (url == null) {
            throw missing(lib, null);
        }
        return url;
    }

    private static PgboxException missing(Library lib, Exception e) {
        return new PgboxException(ErrorKind.FAILURE, "the embedder's native library " + lib.fileName() + " is missing from pgbox",
                lib.resource() + " is not readable on the class path" + (e == null ? "" : ": " + e),
                "rebuild pgbox (mvn package), which bundles ONNX Runtime and DJL's tokenizer library");
    }

    /** Writes the library into the folder unless it is already there, via a temporary name and a rename. */
    private static void extract(Library lib, Path folder) {
        Path target = folder.resolve(lib.fileName());
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path part = null;
        try (InputStream in = resource(lib).openStream()) {
            part = Files.createTempFile(folder, lib.fileName(), ".part", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            try (OutputStream o = Files.newOutputStream(part)) { // keeps the file's 0600
                in.transferTo(o);
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AccessDeniedException e) {
            throw unusable(folder, "it is not writable: " + e, e);
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.FAILURE, "cannot extract " + lib.fileName() + " into " + folder,
                    e.toString(), "check the free space of " + folder.getParent());
        } finally {
            if (part != null) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException ignored) {
                    // a leftover .part file is harmless and overwritten by name never
                }
            }
        }
    }

    /**
     * Loads ONNX Runtime from the folder. It still creates an empty java.io.tmpdir/onnxruntime-java* folder
     * and only asks the JVM to delete it at exit, where the deletion fails silently when the JVM is killed;
     * ONNX Runtime names that folder in a FINE log record, which is caught here to remove it right away.
     */
    private static void loadOnnxRuntime() {
        Logger log = Logger.getLogger(ORT_LOGGER);
        Level before = log.getLevel();
        TempFolderCatcher catcher = new TempFolderCatcher();
        log.addHandler(catcher);
        log.setLevel(Level.FINE);
        try {
            OrtEnvironment.getEnvironment();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new PgboxException(ErrorKind.FAILURE, "cannot load ONNX Runtime for the embedder",
                    e.toString(), "check that the folder of " + System.getProperty("onnxruntime.native.path")
                    + " allows executing libraries (not mounted noexec), or set -D" + DIR_PROPERTY + "=FOLDER");
        } finally {
            log.removeHandler(catcher);
            log.setLevel(before);
        }
        catcher.removeFolder();
    }

    /** Remembers the temporary folder ONNX Runtime reports it will delete at exit. */
    private static final class TempFolderCatcher extends Handler {
        private volatile Path folder;

        @Override
        public void publish(LogRecord r) {
            String m = r.getMessage();
            if (m != null && m.startsWith("Deleting ") && m.endsWith(" on exit")) {
                folder = Path.of(m.substring("Deleting ".length(), m.length() - " on exit".length()));
            }
        }

        void removeFolder() {
            Path f = folder;
            if (f == null || f.getFileName() == null || !f.getFileName().toString().startsWith("onnxruntime-java")) {
                return;
            }
            try {
                Files.deleteIfExists(f); // empty: the libraries came from pgbox's folder
            } catch (IOException ignored) {
                // not empty or gone: ONNX Runtime's own delete-at-exit still applies
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
