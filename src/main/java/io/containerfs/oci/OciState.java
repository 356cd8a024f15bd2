package io.containerfs.oci;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One container's state under {@code --root}: the directory ROOT/ID holds {@code state} (what
 * create knew: bundle, creation time, the process's start time, annotations), {@code pid} (written
 * by the core once the container's set-up is done), {@code exec.fifo} (made by the core for
 * create, removed by start) and {@code lock}, flock(2)ed by every call that changes the container.
 * Whether it is created, running or stopped is read from /proc each time, never stored: a
 * container whose process died is stopped, and a pid reused by another process is told by its
 * start time.
 */
final class OciState {
    static final String CREATED = "created";
    static final String RUNNING = "running";
    static final String STOPPED = "stopped";

    final Path dir;
    final String id;

    OciState(Path root, String id) {
        this.dir = root.resolve(id);
        this.id = id;
    }

    Path pidFile() {
        return dir.resolve("pid");
    }

    Path execFifo() {
        return dir.resolve("exec.fifo");
    }

    boolean exists() {
        return Files.isDirectory(dir);
    }

    /** Holds this container's lock until closed. */
    FileLock lock() throws OciException {
        try {
            FileChannel channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            return channel.lock();
        } catch (IOException e) {
            throw new OciException("cannot lock the state of container " + id + ": " + e.getMessage());
        }
    }

    /** The state file's fields, as {@link #write} stored them. */
    Map<String, String> fields() throws OciException {
        Map<String, String> fields = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(dir.resolve("state"), StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    fields.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        } catch (NoSuchFileException e) {
            throw new OciException("container " + id + " does not exist");
        } catch (IOException e) {
            throw new OciException("cannot read the state of container " + id + ": " + e.getMessage());
        }
        return fields;
    }

    /** Replaces the state file at once (a rename): a reader sees the old one or the new one. */
    void write(Map<String, String> fields) throws OciException {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> e : fields.entrySet()) {
            text.append(e.getKey()).append('=').append(e.getValue().replace('\n', ' ')).append('\n');
        }
        writeAtomically(dir.resolve("state"), text.toString());
    }

    static void writeAtomically(Path file, String text) throws OciException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new OciException("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** The container's pid, from the core's pid file, or 0 before it was written. */
    int pid() {
        try {
            return Integer.parseInt(Files.readString(pidFile(), StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Field 22 of /proc/PID/stat, the process's start time in clock ticks since boot, or -1 when it is gone or a zombie. */
    static long startTicks(int pid) {
        if (pid <= 0) {
            return -1;
        }
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return -1;
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        if (f.length < 20 || f[0].equals("Z") || f[0].equals("X")) {
            return -1;
        }
        try {
            return Long.parseLong(f[22 - 3]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** created, running or stopped, from the pid, its start time and the exec FIFO. */
    String status(Map<String, String> fields) {
        int pid = pid();
        long ticks = startTicks(pid);
        String recorded = fields.getOrDefault("starttime", "0");
        if (ticks < 0 || (!recorded.equals("0") && !recorded.equals(Long.toString(ticks)))) {
            return STOPPED;
        }
        return Files.exists(execFifo()) ? CREATED : RUNNING;
    }

    /** The runtime spec's state document. */
    String json(Map<String, String> fields) {
        String status = status(fields);
        int pid = status.equals(STOPPED) ? 0 : pid();
        return "{\n  \"ociVersion\": " + Json.quote(DefaultSpec.OCI_VERSION) + ",\n  \"id\": " + Json.quote(id)
                + ",\n  \"status\": " + Json.quote(status) + ",\n  \"pid\": " + pid + ",\n  \"bundle\": "
                + Json.quote(fields.getOrDefault("bundle", "")) + ",\n  \"rootfs\": "
                + Json.quote(fields.getOrDefault("rootfs", "")) + ",\n  \"created\": "
                + Json.quote(fields.getOrDefault("created", "")) + ",\n  \"annotations\": "
                + fields.getOrDefault("annotations", "{}") + "\n}";
    }

    /**
     * The state's members a hook gets besides ociVersion, status and pid, which the core writes
     * (hooks.c): id, bundle, annotations.
     */
    String hookMembers(Map<String, String> fields) {
        return "\"id\": " + Json.quote(id) + ", \"bundle\": " + Json.quote(fields.getOrDefault("bundle", ""))
                + ", \"annotations\": " + fields.getOrDefault("annotations", "{}");
    }

    /** Removes the state directory and what is in it. */
    void remove() throws OciException {
        try {
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> list = Files.newDirectoryStream(dir)) {
                for (Path f : list) {
                    files.add(f);
                }
            }
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (NoSuchFileException e) {
            // already gone
        } catch (DirectoryNotEmptyException e) {
            throw new OciException("cannot remove the state of container " + id + ": " + dir + " is not empty");
        } catch (IOException e) {
            throw new OciException("cannot remove the state of container " + id + ": " + e.getMessage());
        }
    }
}
