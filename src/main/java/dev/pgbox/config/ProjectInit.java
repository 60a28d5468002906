package dev.pgbox.config;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Set;

/**
 * Starts a project: writes {@code .env.dev} and {@code .env.prod} from {@link EnvTemplate} and lists
 * {@code .env.secrets} and {@code .pgbox/} in {@code .gitignore}. Never overwrites: a file that exists
 * (even a dangling link) is kept byte for byte, so running it twice changes nothing.
 */
public final class ProjectInit {
    /** rw-r--r--: the env files are meant to be read by anyone who reads the code. */
    public static final Set<PosixFilePermission> READABLE = PosixFilePermissions.fromString("rw-r--r--");
    public static final String PROD_FILE = ".env.prod";

    /** What happened to one file. */
    public enum Action {
        WROTE("wrote"), UPDATED("updated"), KEPT("kept");

        private final String label;

        Action(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One file and what init did to it; {@code note} says why, for the text report. */
    public record FileResult(Path path, Action action, String note) {
    }

    private ProjectInit() {
    }

    /** Writes the project's starting files into {@code projectDir}, which must exist. */
    public static List<FileResult> run(Path projectDir) {
        if (!Files.isDirectory(projectDir)) {
            throw new PgboxException(ErrorKind.USAGE, "project folder " + projectDir + " does not exist",
                    "pgbox init writes into an existing folder, and none is at that path",
                    "create it (mkdir -p " + projectDir + ") or pass the right folder with --project");
        }
        FileResult dev = createNew(projectDir, projectDir.resolve(Settings.DEV_FILE), EnvTemplate.dev());
        FileResult prod = createNew(projectDir, projectDir.resolve(PROD_FILE), EnvTemplate.prod());
        return List.of(dev, prod, gitignore(projectDir));
    }

    /**
     * Creates {@code file} with {@code text} and mode 0644, or leaves whatever is at that path alone:
     * the create is exclusive (O_EXCL), so a file made in between by someone else is never clobbered.
     */
    static FileResult createNew(Path projectDir, Path file, String text) {
        try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(READABLE))) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
        } catch (FileAlreadyExistsException e) {
            return new FileResult(file, Action.KEPT, "exists");
        } catch (IOException e) {
            throw cannotWrite(file, e);
        }
        try {
            Files.setPosixFilePermissions(file, READABLE); // the umask may have taken bits away
            giveToFolderOwner(projectDir, file);
        } catch (IOException e) {
            throw cannotWrite(file, e);
        }
        return new FileResult(file, Action.WROTE, "");
    }

    /** Adds the secrets file and the state folder to .gitignore (creating it), never twice. */
    static FileResult gitignore(Path projectDir) {
        Path file = projectDir.resolve(".gitignore");
        try {
            boolean existed = Files.exists(file);
            String before = existed ? Files.readString(file, StandardCharsets.UTF_8) : null;
            Secrets.ignoreInGit(projectDir);
            if (!existed) {
                Files.setPosixFilePermissions(file, READABLE);
                giveToFolderOwner(projectDir, file);
                return new FileResult(file, Action.WROTE, "");
            }
            boolean changed = !before.equals(Files.readString(file, StandardCharsets.UTF_8));
            return changed ? new FileResult(file, Action.UPDATED, "added " + Settings.SECRETS_FILE + " and .pgbox/ where missing")
                    : new FileResult(file, Action.KEPT, "lists " + Settings.SECRETS_FILE + " and .pgbox/ already");
        } catch (IOException e) {
            throw cannotWrite(file, e);
        }
    }

    /**
     * A file root makes in someone's project (sudo pgbox init) belongs to the folder's owner, who has to
     * edit it; pgbox never runs the server from these files, so nothing is lost by handing them over.
     */
    private static void giveToFolderOwner(Path projectDir, Path file) throws IOException {
        UserPrincipal owner = Files.getOwner(projectDir);
        if (!owner.equals(Files.getOwner(file))) {
            try {
                Files.setOwner(file, owner);
            } catch (IOException e) {
                // only root may hand a file over; anyone else keeps the file they made, which they can edit
            }
        }
    }

    private static PgboxException cannotWrite(Path file, IOException e) {
        return new PgboxException(ErrorKind.PERMISSION, "cannot write " + file, String.valueOf(e.getMessage()),
                "make the project folder writable for the user running pgbox");
    }
}
