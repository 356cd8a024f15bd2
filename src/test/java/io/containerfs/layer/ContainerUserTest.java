package io.containerfs.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.linux.Native;
import io.containerfs.linux.NativeLoader;
import io.containerfs.linux.NodeException;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --user resolved in the layers' own /etc/passwd and /etc/group, as docker run resolves it. */
class ContainerUserTest {
    @TempDir
    Path tmp;

    private Path lower;
    private Path upper;

    @BeforeEach
    void layers() throws IOException {
        NativeLoader.load(); // opaque directories are read by the core (Native.isOpaque), as in a run
        lower = Files.createDirectories(tmp.resolve("lower/etc")).getParent();
        upper = Files.createDirectories(tmp.resolve("upper"));
        Files.writeString(lower.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                + "alice:x:1000:1000:Alice:/home/alice:/bin/sh\nnohome:x:1002:1002::::\n");
        Files.writeString(lower.resolve("etc/group"), "root:x:0:root\nwheel:x:10:root,alice\n"
                + "alice:x:1000:\naudio:x:29:bob,alice\n");
    }

    private ContainerUser resolve(String spec) throws LayerException {
        return ContainerUser.resolve(spec, List.of(lower, upper));
    }

    @Test
    void aNameGivesItsIdsHomeAndSupplementaryGroups() throws LayerException {
        assertEquals(new ContainerUser(1000, 1000, List.of(1000, 10, 29), "/home/alice"), resolve("alice"));
    }

    @Test
    void aNumberInPasswdIsThatUser() throws LayerException {
        assertEquals(new ContainerUser(1000, 1000, List.of(1000, 10, 29), "/home/alice"), resolve("1000"));
    }

    @Test
    void aNumberNotInPasswdIsGroupZeroAndHomeSlash() throws LayerException {
        assertEquals(new ContainerUser(4242, 0, List.of(0), "/"), resolve("4242"));
    }

    @Test
    void aGroupByNameOrNumberReplacesThePrimaryOne() throws LayerException {
        assertEquals(29, resolve("alice:audio").gid());
        assertEquals(7, resolve("alice:7").gid());
        assertEquals(new ContainerUser(5, 6, List.of(6), "/"), resolve("5:6"));
    }

    @Test
    void theTopmostLayerWins() throws IOException, LayerException {
        Files.createDirectories(upper.resolve("etc"));
        Files.writeString(upper.resolve("etc/passwd"), "alice:x:2000:2000::/srv:/bin/sh\n");
        assertEquals(2000, resolve("alice").uid());
    }

    private void assertAliceIsGone(String why) {
        LayerException e = assertThrows(LayerException.class, () -> resolve("alice"), why);
        assertTrue(e.getMessage().contains("no such user in the container's /etc/passwd"), e::getMessage);
    }

    /** pull's whiteout of a deleted file, overlayfs's own: a 0/0 character device. */
    @Test
    @Privileged
    void aWhiteoutDeviceHidesTheLowerFile() throws IOException, NodeException {
        Files.createDirectories(upper.resolve("etc"));
        Native.makeNode(upper.resolve("etc/passwd").toString(), Native.S_IFCHR, 0, 0, -1, -1, 0, 0);
        assertAliceIsGone("the container sees no /etc/passwd");
    }

    /** pull's opaque directory (a replaced /etc): nothing of the lower /etc is seen, passwd included. */
    @Test
    @Privileged
    void anOpaqueUpperDirectoryHidesTheLowerFiles() throws IOException, NodeException, LayerException {
        Files.createDirectories(upper.resolve("etc"));
        Files.writeString(upper.resolve("etc/group"), "alice:x:1000:\n");
        Native.markOpaque(upper.resolve("etc").toString());
        assertAliceIsGone("the opaque /etc has no passwd of its own");
        assertEquals(new ContainerUser(1000, 0, List.of(0), "/"), resolve("1000"), "no group 0 but root's own");

        Files.writeString(upper.resolve("etc/passwd"), "alice:x:3000:1000::/a:/bin/sh\n");
        assertEquals(new ContainerUser(3000, 1000, List.of(1000), "/a"), resolve("alice"),
                "its own passwd and group, none of the lower's groups");
    }

    /** A user's layer before Linux 5.8: its whiteouts are files, as fuse-overlayfs reads them. */
    @Test
    void aLayerOfWhiteoutFilesHidesAsFuseOverlayfsReadsIt() throws IOException, LayerException {
        Files.createDirectories(upper.resolve("etc"));
        Files.createFile(upper.resolve(Whiteouts.FILE_WHITEOUTS));
        Files.createFile(upper.resolve("etc/.wh.passwd"));
        assertAliceIsGone("its .wh.passwd hides the lower passwd");

        Files.delete(upper.resolve("etc/.wh.passwd"));
        assertEquals(1000, resolve("alice").uid(), "without it, the lower passwd is seen");
        Files.createFile(upper.resolve("etc/.wh..wh..opq"));
        assertAliceIsGone("its .wh..wh..opq makes the upper /etc opaque");

        Path plain = Files.createDirectories(tmp.resolve("plain/etc"));
        Files.createFile(plain.resolve(".wh.passwd"));
        assertEquals(1000, ContainerUser.resolve("alice", List.of(lower, plain.getParent())).uid(),
                "in a layer not marked, a .wh. file is only a file, as the kernel's overlayfs shows it");
    }

    /** An image's huge passwd is one line, not a JVM out of memory. */
    @Test
    void aPasswdTooLargeToBeOneIsOneLine() throws IOException {
        try (var out = Files.newOutputStream(upper.resolve("passwd-big"))) {
            byte[] line = "x:x:1:1::/:/bin/sh\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (long written = 0; written <= MergedFile.MAX_BYTES; written += line.length) {
                out.write(line);
            }
        }
        Files.createDirectories(upper.resolve("etc"));
        Files.move(upper.resolve("passwd-big"), upper.resolve("etc/passwd"));
        LayerException e = assertThrows(LayerException.class, () -> resolve("alice"));
        assertEquals("cannot read the container's /etc/passwd: it is larger than 16 MiB", e.getMessage());
    }

    @Test
    void unknownNamesAreOneLineEach() {
        assertTrue(assertThrows(LayerException.class, () -> resolve("bob")).getMessage()
                .contains("no such user in the container's /etc/passwd"));
        assertTrue(assertThrows(LayerException.class, () -> resolve("alice:nogroup")).getMessage()
                .contains("no such group 'nogroup'"));
        assertTrue(assertThrows(LayerException.class, () -> resolve("a:b:c")).getMessage().startsWith("invalid --user"));
    }

    @Test
    void theHostsPasswdIsNeverRead() {
        // "daemon" is in every Debian host's /etc/passwd, not in these layers.
        assertThrows(LayerException.class, () -> resolve("daemon"));
    }

    /** Issue 23, #17: 4294967295 is (uid_t)-1, "no change" to setuid(2); it said "no such user". */
    @Test
    void idsOutOfDockersRangeAreRefusedInOneClearLine() throws LayerException {
        assertEquals(2147483647, resolve("2147483647").uid());
        String range = "': uids and gids must be in range 0-2147483647";
        assertEquals("invalid --user '4294967295" + range, assertThrows(LayerException.class,
                () -> resolve("4294967295")).getMessage());
        assertEquals("invalid --user '2147483648" + range, assertThrows(LayerException.class,
                () -> resolve("2147483648")).getMessage());
        assertEquals("invalid --user '99999999999999999999" + range, assertThrows(LayerException.class,
                () -> resolve("99999999999999999999")).getMessage());
        assertEquals("invalid --user 'alice:4294967295" + range, assertThrows(LayerException.class,
                () -> resolve("alice:4294967295")).getMessage());
    }

    @Test
    void linesThatAreNoEntryAreSkippedNotThrown() throws IOException, LayerException {
        Files.writeString(lower.resolve("etc/passwd"), "short:x:7\nbadgid:x:8:eight::/:\nbig:x:9:4294967296::/:\n"
                + "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n");
        Files.writeString(lower.resolve("etc/group"), "huge:x:4294967296:alice\nwheel:x:10:alice\n");
        assertEquals(new ContainerUser(1000, 1000, List.of(1000, 10), "/home/alice"), resolve("alice"));
        assertThrows(LayerException.class, () -> resolve("short"));
        assertThrows(LayerException.class, () -> resolve("badgid"));
        assertTrue(assertThrows(LayerException.class, () -> resolve("big")).getMessage().contains("out of range"));
    }

    // ---- /etc/passwd as a symlink, followed within the layers (issue 23, #17) ----

    private void moveTo(String relative) throws IOException {
        Path moved = lower.resolve(relative);
        Files.createDirectories(moved.getParent());
        Files.move(lower.resolve("etc/passwd"), moved);
    }

    @Test
    void aRelativeLinkIsFollowedInTheLayersEvenAcrossThem() throws IOException, LayerException {
        moveTo("usr/lib/passwd");
        Files.createDirectories(upper.resolve("etc"));
        Files.createSymbolicLink(upper.resolve("etc/passwd"), Path.of("../usr/lib/passwd"));
        assertEquals(1000, resolve("alice").uid());
    }

    @Test
    void anAbsoluteLinkStartsAtTheContainersRootNotTheHosts() throws IOException, LayerException {
        moveTo("usr/lib/passwd");
        Files.createSymbolicLink(lower.resolve("etc/passwd"), Path.of("/usr/lib/passwd"));
        assertEquals(1000, resolve("alice").uid());

        // On the host, that path holds another user; the container sees no such file.
        Path host = Files.writeString(tmp.resolve("hostpasswd"), "bob:x:3000:3000::/:\n");
        Files.delete(lower.resolve("etc/passwd"));
        Files.createSymbolicLink(lower.resolve("etc/passwd"), host);
        assertThrows(LayerException.class, () -> resolve("bob"));
        Files.delete(lower.resolve("etc/passwd"));
        Files.createSymbolicLink(lower.resolve("etc/passwd"), Path.of("../../../../../../../../.." + host));
        assertThrows(LayerException.class, () -> resolve("bob"), "'..' stops at the container's root");
    }

    @Test
    void aLinkedDirectoryOnTheWayIsFollowedAndAnUpperFileStillHidesIt() throws IOException, LayerException {
        moveTo("private/etc/passwd");
        Files.move(lower.resolve("etc/group"), lower.resolve("private/etc/group"));
        Files.delete(lower.resolve("etc"));
        Files.createSymbolicLink(lower.resolve("etc"), Path.of("private/etc"));
        assertEquals(new ContainerUser(1000, 1000, List.of(1000, 10, 29), "/home/alice"), resolve("alice"));

        Files.writeString(upper.resolve("private"), "a file in the upper layer hides the directory below\n");
        assertThrows(LayerException.class, () -> resolve("alice"));
    }

    @Test
    void aLinkLoopIsOneLine() throws IOException {
        Files.delete(lower.resolve("etc/passwd"));
        Files.createSymbolicLink(lower.resolve("etc/passwd"), Path.of("passwd"));
        assertEquals("cannot read the container's /etc/passwd: too many levels of symbolic links on the way to"
                + " /etc/passwd", assertThrows(LayerException.class, () -> resolve("alice")).getMessage());
    }
}
