package io.containerfs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Everything about a directory tree that "byte-for-byte unchanged" means: for each entry its
 * type and mode bits, owner, size, modification time, and the SHA-256 of its content or the
 * target of its link. Two digests are equal exactly when nothing in the tree changed.
 */
public final class TreeDigest {
    private TreeDigest() {}

    public static SortedMap<String, String> of(Path root) {
        SortedMap<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.forEach(p -> entries.put(root.relativize(p).toString(), describe(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    private static String describe(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,rdev",
                    LinkOption.NOFOLLOW_LINKS);
            String content = "";
            if (Files.isSymbolicLink(p)) {
                content = "-> " + Files.readSymbolicLink(p);
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                content = sha256(p);
            }
            return String.format("mode=%o uid=%s gid=%s size=%s mtime=%s rdev=%s %s", a.get("mode"), a.get("uid"),
                    a.get("gid"), a.get("size"), a.get("lastModifiedTime"), a.get("rdev"), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
