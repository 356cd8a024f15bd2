package io.containerfs.pull;

import io.containerfs.layer.Whiteouts;
import io.containerfs.linux.NodeException;
import io.containerfs.linux.Native;
import io.containerfs.linux.NativeLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Writes tar entries under a root directory as {@code tar --same-owner -xpf} does as root, and
 * refuses every entry that could touch anything outside it. Commons Compress hands over names
 * and link targets as the archive spells them, so every check is here:
 *
 * <ul>
 *   <li>no absolute names, no {@code ..} component (GNU tar also refuses those);
 *   <li>no link is ever followed: each parent is checked with lstat(2) to be a real directory
 *       and files are opened O_CREAT|O_EXCL|O_NOFOLLOW, so a symlink the archive made (say
 *       {@code l -> /}) cannot carry a later write ({@code l/etc/evil}) out of the root;
 *   <li>an entry never replaces what an earlier entry made (except a directory listed twice),
 *       so a directory checked once stays a directory;
 *   <li>hardlinks only to a file already extracted, through real directories;
 *   <li>no character or block devices or FIFOs unless {@code makeNodes} (pull
 *       {@code --allow-devices}, as root): run mounts a fresh /dev, and a root filesystem needs
 *       none of its own. With it they are made by {@link Native#makeNode}, after the same checks
 *       as a regular file, so never through a symlink either. (Sockets cannot be in a tar
 *       archive: ustar and pax have no type for them, and GNU tar skips them when it creates one.)
 * </ul>
 *
 * Ownership is set before the mode (chown(2) clears setuid/setgid bits), and directories get
 * owner, mode and mtime only after their contents, whose creation changes their mtime. Where the
 * native library is loaded, files are made and all of it set by system calls from C, as tar does
 * ({@link Native#createFile}, {@link Native#setMetadata}); else through java.nio, which sets the
 * mode after the times, so that the open(2) that sets the times cannot be refused by the new mode.
 *
 * <p>Plain try blocks, no lambdas: each lambda is a class spun at its first use, a millisecond or
 * so to a JVM that has just started (docs/BENCHMARKS.md).
 */
final class SafeTreeWriter {
    private static final int DEFAULT_ROOT_MODE = 0755;

    private final Path root;
    private final boolean preserveOwnership;
    private final boolean makeNodes;
    /** An image layer's whiteouts become overlayfs's own ({@link #whiteout}). */
    private boolean overlayWhiteouts;
    /**
     * Whether this layer's whiteouts are fuse-overlayfs's files ({@link #fuseWhiteouts}); null until
     * its first whiteout or opaque directory asks.
     */
    private Boolean asFiles;
    private final Set<Path> knownDirectories = new HashSet<>();
    private final Map<Path, TarArchiveEntry> directories = new LinkedHashMap<>();
    private final byte[] buffer = new byte[1 << 16];
    /** Who owns what this process creates under the root, or -1 when that cannot be told (ownerOfNewFiles). */
    private final int createdUid;
    private final int createdGid;
    /**
     * Whether files are made and owners, modes and times set by system calls from C ({@link Native}),
     * as where the native library is loaded; else through java.nio.
     */
    private final boolean byCore;
    private long fileBytes;
    private long impliedDirectories;
    /**
     * Run by an ordinary user with a subordinate range: the entries whose archive owner is not
     * root's (0:0, which is the user's own), given later from a user namespace ({@link #giveRecordedOwners}).
     */
    private boolean recordOwners;
    private final List<String> ownedPaths = new ArrayList<>();
    private int[] owners = new int[48];

    /** @param makeNodes make device nodes and FIFOs instead of refusing them (needs root, which the caller checks) */
    SafeTreeWriter(Path root, boolean preserveOwnership, boolean makeNodes) {
        this.root = root;
        this.preserveOwnership = preserveOwnership;
        this.makeNodes = makeNodes;
        knownDirectories.add(root);
        int[] owner = preserveOwnership ? ownerOfNewFiles(root) : null;
        createdUid = owner != null ? owner[0] : -1;
        createdGid = owner != null ? owner[1] : -1;
        byCore = NativeLoader.isAvailable();
    }

    /**
     * The uid and gid every file, link and directory this process creates under {@code root} gets,
     * so that chown(2) is skipped where the archive wants that owner already (two calls fewer per
     * entry: a root filesystem is nearly all root's). They are root's own, which this process just
     * made: the uid is its fsuid, and the group, its fsgid or, under a set-group-ID parent or on a
     * filesystem mounted grpid, the parent's, is the one root then passes on to all it holds, as do
     * the directories made in it. Nothing under root changes owner or mode before
     * {@link #finishDirectories}. Null when root cannot be read: every owner is then set.
     */
    private static int[] ownerOfNewFiles(Path root) {
        try {
            Map<String, Object> unix = Files.readAttributes(root, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
            return new int[] {(Integer) unix.get("uid"), (Integer) unix.get("gid")};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Makes an image layer's whiteouts overlayfs's own, as the OCI image spec's layer rules ask
     * ("whiteouts" in image-spec layer.md) and overlayfs reads them (the kernel's
     * Documentation/filesystems/overlayfs.rst): {@code .wh.NAME} becomes a character device 0/0
     * named NAME, which hides NAME of every lower layer; {@code .wh..wh..opq} marks its directory
     * opaque ({@link Native#markOpaque}), which hides everything lower layers hold in it. Needs
     * root and the native library, which the caller checks.
     */
    SafeTreeWriter withOverlayWhiteouts() {
        overlayWhiteouts = true;
        return this;
    }

    long fileBytes() {
        return fileBytes;
    }

    /** Writes one entry; {@code data} is its contents. IOExceptions are the archive's, not the disk's. */
    void write(TarArchiveEntry entry, InputStream data) throws IOException, PullException {
        try {
            place(entry, data);
        } catch (InvalidPathException e) {
            throw refuse(entry.getName(), "has a name this system cannot represent (" + e.getReason()
                    + "; is the locale's character set UTF-8?)");
        }
    }

    private void place(TarArchiveEntry entry, InputStream data) throws IOException, PullException {
        String name = entry.getName();
        List<String> parts = components(name, name, "name");
        if (parts.isEmpty()) {
            if (!entry.isDirectory()) {
                throw refuse(name, "names the root directory itself but is not a directory");
            }
            directories.put(root, entry);
            recordOwner(".", entry);
            return;
        }
        if (overlayWhiteouts) {
            refuseWhiteoutDirectories(parts, name);
        }
        Path path = parentDirectory(parts, name, true).resolve(parts.get(parts.size() - 1));
        if (overlayWhiteouts && parts.get(parts.size() - 1).startsWith(Whiteouts.PREFIX)) {
            whiteout(path, entry);
            return;
        }
        recordOwner(String.join("/", parts), entry);
        // Symlinks, directories and files, nearly every entry, are created with O_EXCL, mkdir(2) or
        // symlink(2), which fail on anything already there (never following it): what is there is
        // looked at only then, one lstat(2) fewer per entry. The rarer kinds are checked first.
        if (entry.isSymbolicLink()) {
            symlink(path, entry);
        } else if (entry.isLink()) {
            refuseIfExists(path, entry);
            hardlink(path, entry);
        } else if (entry.isDirectory()) {
            try {
                Files.createDirectory(path);
            } catch (FileAlreadyExistsException e) {
                BasicFileAttributes existing = attributes(path);
                if (existing != null && existing.isDirectory() && !existing.isSymbolicLink()) {
                    directories.put(path, entry); // listed twice, or made as a parent before
                    return;
                }
                throw exists(path, entry, e);
            } catch (IOException e) {
                throw cannotWrite(path, e);
            }
            knownDirectories.add(path);
            directories.put(path, entry);
        } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            refuseIfExists(path, entry);
            if (!makeNodes) {
                throw refuse(name, "is a " + nodeKind(entry) + "; pull makes none unless asked: use --allow-devices"
                        + " as root to create it (run mounts a fresh /dev in the container, so a root"
                        + " filesystem needs none)");
            }
            node(path, entry);
        } else if (isRegularFile(entry)) {
            regularFile(path, entry, data);
        } else {
            refuseIfExists(path, entry);
            throw refuse(name, "has tar type '" + (char) entry.getLinkFlag() + "', which pull does not extract");
        }
    }

    /**
     * A {@code .wh.} name is a whiteout, never a directory: one made as a parent of an entry would
     * stay in the layer, and fuse-overlayfs reads {@code .wh.NAME} of any kind as hiding NAME, and a
     * {@code .wh..wh..opq} as making its directory opaque.
     */
    private static void refuseWhiteoutDirectories(List<String> parts, String name) throws PullException {
        for (int i = 0; i < parts.size() - 1; i++) {
            if (parts.get(i).startsWith(Whiteouts.PREFIX)) {
                throw refuse(name, "goes through '" + String.join("/", parts.subList(0, i + 1))
                        + "', a whiteout's name, as a directory; a whiteout is never one");
            }
        }
    }

    /** An earlier entry made {@code path}: refused. */
    private void refuseIfExists(Path path, TarArchiveEntry entry) throws PullException {
        if (attributes(path) != null) {
            throw exists(path, entry, null);
        }
    }

    /** The refusal of an entry whose path an earlier entry made; {@code e} when creating it said so, and nothing is there now. */
    private PullException exists(Path path, TarArchiveEntry entry, IOException e) throws PullException {
        if (e != null && attributes(path) == null) {
            return cannotWrite(path, e);
        }
        return refuse(entry.getName(), "would replace '" + relative(path) + "', which an earlier entry made");
    }

    /** Sets the directories' owners, times and modes, now that nothing more is written into them. */
    void finishDirectories() throws PullException {
        List<Map.Entry<Path, TarArchiveEntry>> all = new ArrayList<>(directories.entrySet());
        for (int i = all.size() - 1; i >= 0; i--) {
            applyMetadata(all.get(i).getKey(), all.get(i).getValue());
        }
        if (!directories.containsKey(root)) {
            try {
                Files.setAttribute(root, "unix:mode", DEFAULT_ROOT_MODE, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw cannotWrite(root, e);
            }
        }
    }

    private static boolean isRegularFile(TarArchiveEntry entry) {
        byte flag = entry.getLinkFlag();
        return flag == TarArchiveEntry.LF_NORMAL || flag == TarArchiveEntry.LF_OLDNORM
                || flag == TarArchiveEntry.LF_CONTIG || entry.isSparse();
    }

    private void regularFile(Path path, TarArchiveEntry entry, InputStream data) throws IOException, PullException {
        if (byCore) {
            regularFileByCore(path, entry, data);
        } else {
            regularFileByNio(path, entry, data);
        }
    }

    /**
     * As tar makes a file: open(2) with O_CREAT|O_EXCL|O_NOFOLLOW, write(2), then its owner, mode
     * and mtime through the descriptor, then close(2) ({@link Native#createFile}).
     */
    private void regularFileByCore(Path path, TarArchiveEntry entry, InputStream data) throws IOException, PullException {
        String file = path.toString();
        int fd;
        try {
            fd = Native.createFile(file);
        } catch (NodeException e) {
            throw e.errno() == NodeException.EEXIST ? exists(path, entry, e) : cannotWrite(path, e);
        }
        boolean handedOver = false;
        try {
            int n;
            while ((n = data.read(buffer)) != -1) { // the archive's IOException, not ours
                Native.writeFile(fd, file, buffer, 0, n);
                fileBytes += n;
            }
            Instant mtime = entry.getLastModifiedTime().toInstant();
            handedOver = true; // finishFile closes it, whatever happens
            Native.finishFile(fd, file, entry.getMode() & 07777, uidToSet(entry), gidToSet(entry),
                    mtime.getEpochSecond(), mtime.getNano());
        } catch (NodeException e) {
            throw cannotWrite(path, e);
        } finally {
            if (!handedOver) {
                Native.closeFile(fd);
            }
        }
    }

    private void regularFileByNio(Path path, TarArchiveEntry entry, InputStream data) throws IOException, PullException {
        OutputStream out;
        try {
            out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (FileAlreadyExistsException e) {
            throw exists(path, entry, e);
        } catch (IOException e) {
            throw cannotWrite(path, e);
        }
        try {
            int n;
            while ((n = data.read(buffer)) != -1) { // the archive's IOException, not ours
                try {
                    out.write(buffer, 0, n);
                } catch (IOException e) {
                    throw cannotWrite(path, e);
                }
                fileBytes += n;
            }
        } finally {
            try {
                out.close();
            } catch (IOException e) {
                throw cannotWrite(path, e);
            }
        }
        applyMetadata(path, entry);
    }

    private static String nodeKind(TarArchiveEntry entry) {
        return entry.isFIFO() ? "FIFO" : entry.isBlockDevice() ? "block device node" : "character device node";
    }

    /**
     * A device node or FIFO with the archive's owner, exact mode and mtime, all set in C: java.nio
     * would open(2) the node to set its times or mode, which blocks on a FIFO.
     */
    private void node(Path path, TarArchiveEntry entry) throws PullException {
        String file = path.toString();
        int type = entry.isFIFO() ? Native.S_IFIFO : entry.isBlockDevice() ? Native.S_IFBLK : Native.S_IFCHR;
        Instant mtime = entry.getLastModifiedTime().toInstant();
        try {
            Native.makeNode(file, type | (entry.getMode() & 07777), entry.getDevMajor(), entry.getDevMinor(),
                    preserveOwnership ? (int) entry.getLongUserId() : -1,
                    preserveOwnership ? (int) entry.getLongGroupId() : -1,
                    mtime.getEpochSecond(), mtime.getNano());
        } catch (NodeException e) {
            boolean eperm = e.errno() == NodeException.EPERM;
            throw new PullException("cannot create the " + nodeKind(entry) + " " + path + ": " + e.getMessage()
                    + (eperm ? "; mknod(2) needs CAP_MKNOD, which a container or user namespace usually lacks:"
                            + " run pull on the host, or without --allow-devices"
                            : "; check the free space and permissions there"), e);
        }
    }

    /** See {@link #withOverlayWhiteouts}: {@code path} is the whiteout's own name, in a checked directory. */
    private void whiteout(Path path, TarArchiveEntry entry) throws PullException {
        String name = path.getFileName().toString();
        Path directory = path.getParent();
        String hidden = name.substring(Whiteouts.PREFIX.length());
        if (!name.equals(Whiteouts.OPAQUE)
                && (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..") || hidden.startsWith(Whiteouts.PREFIX))) {
            throw refuse(entry.getName(), "is a whiteout of no name a file can have");
        }
        if (fuseWhiteouts()) {
            if (!name.equals(Whiteouts.OPAQUE)) {
                refuseIfExists(directory.resolve(hidden), entry);
            }
            emptyFile(path);
            return;
        }
        try {
            if (name.equals(Whiteouts.OPAQUE)) {
                Native.markOpaque(directory.toString());
                return;
            }
            Path node = directory.resolve(hidden);
            refuseIfExists(node, entry);
            Instant mtime = entry.getLastModifiedTime().toInstant();
            Native.makeNode(node.toString(), Native.S_IFCHR, 0, 0, uidToSet(entry), gidToSet(entry),
                    mtime.getEpochSecond(), mtime.getNano());
        } catch (NodeException e) {
            throw new PullException("cannot make the whiteout for " + entry.getName() + ": " + e.getMessage()
                    + (Native.effectiveUid() == 0 ? "; overlayfs's whiteouts need a file system with trusted xattrs"
                            : "; a whiteout (a 0/0 character device) needs Linux 5.8 without root, and its opaque"
                                    + " directories a file system with user xattrs"), e);
        }
    }

    /**
     * Whether this layer's whiteouts must be files: an ordinary user may mknod(2) overlayfs's 0/0
     * whiteout only from Linux 5.8 on (EPERM before, as on the course VM's 5.4). A user's overlay there
     * is fuse-overlayfs (the kernel's needs 5.11 in a user namespace), which reads AUFS's whiteouts as
     * well: an empty file {@code .wh.NAME} hides NAME, an empty {@code .wh..wh..opq} makes its directory
     * opaque. Asked once per layer, with a 0/0 device made and removed at its root, so that all of a
     * layer's whiteouts are one kind; the layer is then marked ({@link Whiteouts#FILE_WHITEOUTS}).
     */
    private boolean fuseWhiteouts() throws PullException {
        if (asFiles != null) {
            return asFiles;
        }
        asFiles = false;
        if (Native.effectiveUid() == 0) {
            return false;
        }
        Path probe = root.resolve(Whiteouts.FILE_WHITEOUTS);
        try {
            Native.makeNode(probe.toString(), Native.S_IFCHR, 0, 0, -1, -1, 0, 0);
            Files.delete(probe);
        } catch (NodeException e) {
            if (e.errno() != NodeException.EPERM || e.step() != NodeException.Step.MKNOD) {
                throw new PullException("cannot make a whiteout in " + root + ": " + e.getMessage(), e);
            }
            asFiles = true;
            emptyFile(probe);
        } catch (IOException e) {
            throw cannotWrite(probe, e);
        }
        return asFiles;
    }

    /** An empty file, the user's own: a whiteout as fuse-overlayfs reads it, or the layer's mark. */
    private void emptyFile(Path path) throws PullException {
        try {
            Files.createFile(path);
        } catch (IOException e) {
            throw cannotWrite(path, e);
        }
    }

    private void symlink(Path path, TarArchiveEntry entry) throws PullException {
        String target = entry.getLinkName();
        Path targetPath;
        try {
            targetPath = Path.of(target);
        } catch (InvalidPathException e) {
            refuseIfExists(path, entry);
            throw refuse(entry.getName(), "is a symlink to a name no file can have");
        }
        // java.nio drops a trailing '/' and doubled '/'; make only links that come out exact.
        if (target.isEmpty() || !targetPath.toString().equals(target)) {
            refuseIfExists(path, entry);
            throw refuse(entry.getName(), "is a symlink to '" + target + "', which java.nio cannot make"
                    + " exactly (empty, or with a redundant '/')");
        }
        try {
            Files.createSymbolicLink(path, targetPath);
        } catch (FileAlreadyExistsException e) {
            throw exists(path, entry, e);
        } catch (IOException e) {
            throw cannotWrite(path, e);
        }
        applyMetadata(path, entry);
    }

    private void hardlink(Path path, TarArchiveEntry entry) throws PullException {
        String name = entry.getName();
        String target = entry.getLinkName();
        List<String> parts = components(target, name, "hardlink target");
        if (parts.isEmpty()) {
            throw refuse(name, "is a hardlink to the root directory");
        }
        Path targetPath = parentDirectory(parts, name, false).resolve(parts.get(parts.size() - 1));
        BasicFileAttributes attributes = attributes(targetPath);
        if (attributes == null) {
            throw refuse(name, "is a hardlink to '" + target + "', which is not (yet) in the archive");
        }
        if (attributes.isDirectory()) {
            throw refuse(name, "is a hardlink to the directory '" + target + "'");
        }
        // link(2) on Linux links a symlink itself, never what it points to.
        try {
            Files.createLink(path, targetPath);
        } catch (IOException e) {
            throw cannotWrite(path, e);
        }
    }

    /**
     * The entry's owner (where it differs from what a new file gets), exact mode (not for a symlink)
     * and mtime: by the C core ({@link Native#setMetadata}: a directory through a descriptor opened
     * with O_NOFOLLOW, a symlink by path without following it), or, where the native library
     * cannot be loaded, through java.nio, which opens the file once for its times and again for
     * its mode.
     */
    private void applyMetadata(Path path, TarArchiveEntry entry) throws PullException {
        int uid = uidToSet(entry);
        int gid = gidToSet(entry);
        try {
            if (byCore) {
                int type = entry.isSymbolicLink() ? Native.S_IFLNK : entry.isDirectory() ? Native.S_IFDIR : Native.S_IFREG;
                Instant mtime = entry.getLastModifiedTime().toInstant();
                Native.setMetadata(path.toString(), type | (entry.getMode() & 07777), uid, gid,
                        mtime.getEpochSecond(), mtime.getNano());
                return;
            }
            if (uid != -1) {
                Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            }
            if (gid != -1) {
                Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            }
            Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(entry.getLastModifiedTime(), null, null);
            if (!entry.isSymbolicLink()) { // a symlink's mode is always 0777 on Linux
                Files.setAttribute(path, "unix:mode", entry.getMode() & 07777, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            throw cannotWrite(path, e);
        }
    }

    /** Records the archive's owners of each file from now on, for {@link #giveRecordedOwners}. */
    SafeTreeWriter recordingOwners() {
        this.recordOwners = true;
        return this;
    }

    /**
     * A hardlink is not recorded: it is its target's inode, which its own entry gives an owner and
     * mode, and as root nothing is set on it either (as tar sets nothing). Above all, a hardlink
     * to a symlink is that symlink (link(2)), and the mode given by fchmodat(2), which follows a
     * symlink, would go to whatever the link names, the user's own files included.
     */
    private void recordOwner(String relative, TarArchiveEntry entry) {
        int uid = (int) entry.getLongUserId();
        int gid = (int) entry.getLongGroupId();
        if (!recordOwners || entry.isLink() || (uid == 0 && gid == 0)) {
            return;
        }
        int at = 3 * ownedPaths.size();
        if (at + 3 > owners.length) {
            owners = java.util.Arrays.copyOf(owners, 2 * owners.length);
        }
        owners[at] = uid;
        owners[at + 1] = gid;
        owners[at + 2] = entry.isSymbolicLink() ? -1 : entry.getMode() & 07777;
        ownedPaths.add(relative);
    }

    /**
     * Gives the recorded files their archive owners, mapped into the user's subordinate range as a
     * container's user namespace maps them (the C core, {@link Native#ownTree}); after {@link
     * #finishDirectories}. On failure the tree is removed.
     */
    void giveRecordedOwners() throws PullException {
        if (ownedPaths.isEmpty()) {
            return;
        }
        try {
            Native.ownTree(root.toString(), ownedPaths, java.util.Arrays.copyOf(owners, 3 * ownedPaths.size()));
        } catch (io.containerfs.linux.ContainerException e) {
            throw new PullException(e.getMessage(), e);
        }
    }

    /** The entry's uid where it differs from what a new file gets already, else -1 (kept). */
    private int uidToSet(TarArchiveEntry entry) {
        int wanted = (int) entry.getLongUserId();
        return preserveOwnership && (wanted != createdUid || createdUid == -1) ? wanted : -1;
    }

    /** The entry's gid where it differs from what a new file gets already, else -1 (kept). */
    private int gidToSet(TarArchiveEntry entry) {
        int wanted = (int) entry.getLongGroupId();
        return preserveOwnership && (wanted != createdGid || createdGid == -1) ? wanted : -1;
    }

    private void createDirectory(Path path) throws PullException {
        try {
            Files.createDirectory(path);
        } catch (IOException e) {
            throw cannotWrite(path, e);
        }
        impliedDirectories++;
    }

    /**
     * The directories made because an entry's name goes through them, which no entry of their own
     * lists: a name may imply 2,000 of them (PATH_MAX), each a block of the disk, so the callers
     * count them as entries.
     */
    long impliedDirectories() {
        return impliedDirectories;
    }

    /**
     * The real directory that holds {@code parts}' last component, made if missing (as tar does)
     * when {@code create}; refuses a path through a symlink or a non-directory.
     */
    private Path parentDirectory(List<String> parts, String entryName, boolean create) throws PullException {
        Path dir = root;
        for (int i = 0; i < parts.size() - 1; i++) {
            dir = dir.resolve(parts.get(i));
            if (knownDirectories.contains(dir)) {
                continue;
            }
            BasicFileAttributes attributes = attributes(dir);
            if (attributes == null && create) {
                createDirectory(dir);
            } else if (attributes == null) {
                throw refuse(entryName, "goes through '" + relative(dir) + "', which is not (yet) in the archive");
            } else if (attributes.isSymbolicLink()) {
                throw refuse(entryName, "goes through the symlink '" + relative(dir) + "'; pull never follows links");
            } else if (!attributes.isDirectory()) {
                throw refuse(entryName, "goes through '" + relative(dir) + "', which is not a directory");
            }
            knownDirectories.add(dir);
        }
        return dir;
    }

    /** A name's components without {@code .} and empty ones; refuses absolute names and {@code ..}. */
    private static List<String> components(String name, String entryName, String what) throws PullException {
        if (name.startsWith("/")) {
            throw refuse(entryName, "has the absolute " + what + " '" + name + "'");
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw refuse(entryName, "climbs out with '..' in '" + name + "'");
            }
            if (!part.isEmpty() && !part.equals(".")) {
                if (part.indexOf('\0') >= 0) {
                    throw refuse(entryName, "has a NUL character in its " + what);
                }
                parts.add(part);
            }
        }
        return parts;
    }

    private String relative(Path path) {
        return root.relativize(path).toString();
    }

    private static BasicFileAttributes attributes(Path path) throws PullException {
        return TargetDirectory.attributes(path);
    }

    private static PullException refuse(String entryName, String why) {
        return new PullException("refusing the entry '" + entryName + "': it " + why);
    }

    /** A failure of our own disk, told apart from the archive's read errors. */
    private static PullException cannotWrite(Path path, IOException e) {
        return new PullException("cannot write " + path + ": " + e.getMessage()
                + "; check the free space and permissions there", e);
    }
}
