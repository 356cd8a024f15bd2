package io.containerfs.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Hand-crafted tar archives, hostile ones included: names are written exactly as given (an
 * absolute name stays absolute), which tar(1) itself would not let a test do.
 */
public final class TarBuilder {
    public static final FileTime MTIME = FileTime.fromMillis(1_600_000_000_000L);

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

    public TarBuilder() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    public TarBuilder dir(String name, int mode) {
        return add(entry(name, TarArchiveEntry.LF_DIR, mode), null);
    }

    public TarBuilder file(String name, int mode, String content) {
        return add(entry(name, TarArchiveEntry.LF_NORMAL, mode), content.getBytes(StandardCharsets.UTF_8));
    }

    public TarBuilder file(String name, int mode, int uid, int gid, String content) {
        TarArchiveEntry e = entry(name, TarArchiveEntry.LF_NORMAL, mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        return add(e, content.getBytes(StandardCharsets.UTF_8));
    }

    public TarBuilder symlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarArchiveEntry.LF_SYMLINK, 0777);
        e.setLinkName(target);
        return add(e, null);
    }

    public TarBuilder hardlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarArchiveEntry.LF_LINK, 0644);
        e.setLinkName(target);
        return add(e, null);
    }

    public TarBuilder charDevice(String name, int major, int minor) {
        TarArchiveEntry e = entry(name, TarArchiveEntry.LF_CHR, 0666);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        return add(e, null);
    }

    public TarBuilder blockDevice(String name, int major, int minor) {
        TarArchiveEntry e = entry(name, TarArchiveEntry.LF_BLK, 0660);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        return add(e, null);
    }

    /** A device node or FIFO ({@code type} LF_CHR, LF_BLK or LF_FIFO) with every field given. */
    public TarBuilder node(String name, byte type, int mode, int uid, int gid, int major, int minor) {
        TarArchiveEntry e = entry(name, type, mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        return add(e, null);
    }

    public TarBuilder fifo(String name) {
        return add(entry(name, TarArchiveEntry.LF_FIFO, 0644), null);
    }

    /** Any entry, for owners and other fields the shortcuts do not set. */
    public TarBuilder add(TarArchiveEntry entry, byte[] content) {
        try {
            entry.setSize(content == null ? 0 : content.length);
            tar.putArchiveEntry(entry);
            if (content != null) {
                tar.write(content);
            }
            tar.closeArchiveEntry();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TarArchiveEntry entry(String name, byte type, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setMode(mode);
        e.setModTime(MTIME);
        return e;
    }

    public byte[] tarBytes() {
        try {
            tar.finish();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path writeTar(Path file) {
        return write(file, tarBytes());
    }

    public Path writeTarGz(Path file) {
        return write(file, gzip(tarBytes()));
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static Path write(Path file, byte[] data) {
        try {
            return Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
