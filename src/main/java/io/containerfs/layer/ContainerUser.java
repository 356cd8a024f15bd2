package io.containerfs.layer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The user a command runs as, resolved as {@code docker run --user} resolves it: names and numbers
 * looked up in the container's own {@code /etc/passwd} and {@code /etc/group} (in the merged
 * layers, never the host's), supplementary groups from {@code /etc/group}.
 *
 * @param uid the user id
 * @param gid the primary group id
 * @param groups the supplementary group ids (the primary one included, as initgroups(3) does)
 * @param home the home directory from {@code /etc/passwd}, {@code /} when there is no entry
 */
public record ContainerUser(int uid, int gid, List<Integer> groups, String home) {
    /** root, and /root as its home, when no --user is given and the image says nothing else. */
    public static final ContainerUser ROOT = new ContainerUser(0, 0, List.of(), "/root");

    public ContainerUser {
        groups = List.copyOf(groups);
    }

    /**
     * @param spec {@code NAME}, {@code UID}, {@code NAME:GROUP}, {@code UID:GID}, …
     * @param layers bottom to top, WRITEDIR last
     * @throws LayerException when a name is in neither file, or a number is out of range (0 to 2^31-1, as
     *     docker run takes it)
     */
    public static ContainerUser resolve(String spec, List<Path> layers) throws LayerException {
        String[] parts = spec.split(":", -1);
        if (parts.length > 2 || parts[0].isEmpty() || (parts.length == 2 && parts[1].isEmpty())) {
            throw new LayerException("invalid --user '" + spec + "': give NAME or UID, optionally :GROUP or :GID");
        }
        List<String[]> passwd = entries(layers, "etc/passwd", 4);
        List<String[]> group = entries(layers, "etc/group", 3);
        Optional<String[]> user = find(passwd, parts[0], 2);
        if (user.isEmpty() && !isNumber(parts[0])) {
            throw new LayerException("--user '" + parts[0] + "': no such user in the container's /etc/passwd");
        }
        int uid = user.isPresent() ? id(user.get()[2]) : id(spec, parts[0]);
        int gid = user.isPresent() ? id(user.get()[3]) : 0;
        String home = user.map(e -> e.length > 5 && !e[5].isEmpty() ? e[5] : "/").orElse("/");
        if (parts.length == 2) {
            Optional<String[]> chosen = find(group, parts[1], 2);
            if (chosen.isEmpty() && !isNumber(parts[1])) {
                throw new LayerException("--user '" + spec + "': no such group '" + parts[1]
                        + "' in the container's /etc/group");
            }
            gid = chosen.isPresent() ? id(chosen.get()[2]) : id(spec, parts[1]);
        }
        List<Integer> groups = new ArrayList<>(List.of(gid));
        if (user.isPresent()) {
            String name = user.get()[0];
            for (String[] g : group) {
                if (g.length > 3 && isId(g[2]) && Arrays.asList(g[3].split(",")).contains(name)
                        && !groups.contains(Integer.parseInt(g[2]))) {
                    groups.add(Integer.parseInt(g[2]));
                }
            }
        }
        return new ContainerUser(uid, gid, groups, home);
    }

    /**
     * The colon-separated lines of a file in the merged layers whose id fields (from the third up
     * to {@code fields}) are ids; none when it is missing. A line that is not, as getpwent(3)
     * would, is skipped.
     */
    private static List<String[]> entries(List<Path> layers, String relative, int fields) throws LayerException {
        try {
            Optional<Path> file = MergedFile.find(layers, relative);
            if (file.isEmpty()) {
                return List.of();
            }
            List<String[]> out = new ArrayList<>();
            for (String line : MergedFile.readLines(file.get())) {
                String[] entry = line.split(":", -1);
                if (entry.length >= fields && !line.startsWith("#") && isNumber(entry[2])
                        && (fields < 4 || isNumber(entry[3]))) {
                    out.add(entry);
                }
            }
            return out;
        } catch (IOException e) {
            throw new LayerException("cannot read the container's /" + relative + ": " + e.getMessage());
        }
    }

    /** By name, or by the number in field {@code idField}, as getpwnam(3) then getpwuid(3) would. */
    private static Optional<String[]> find(List<String[]> entries, String nameOrId, int idField) {
        for (String[] e : entries) {
            if (e[0].equals(nameOrId)) {
                return Optional.of(e);
            }
        }
        if (isNumber(nameOrId) && isId(nameOrId)) {
            String id = Integer.toString(Integer.parseInt(nameOrId));
            for (String[] e : entries) {
                if (isId(e[idField]) && Integer.toString(Integer.parseInt(e[idField])).equals(id)) {
                    return Optional.of(e);
                }
            }
        }
        return Optional.empty();
    }

    /** An id of a file's entry, which {@link #entries} checked to be one. */
    private static int id(String field) throws LayerException {
        if (!isId(field)) {
            throw new LayerException("an id in the container's /etc/passwd or /etc/group, " + field
                    + ", is out of range: uids and gids must be in range 0-" + Integer.MAX_VALUE);
        }
        return Integer.parseInt(field);
    }

    /**
     * A uid or gid the user gave as a number. docker run (runc's user package) takes 0 to 2^31-1;
     * 4294967295 is (uid_t)-1, which setuid(2) reads as "no change", and is never a user.
     */
    private static int id(String spec, String number) throws LayerException {
        if (!isId(number)) {
            throw new LayerException("invalid --user '" + spec + "': uids and gids must be in range 0-"
                    + Integer.MAX_VALUE);
        }
        return Integer.parseInt(number);
    }

    /** Digits only, as a uid or gid is written; any number of them. */
    private static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** A number from 0 to 2^31-1. */
    private static boolean isId(String number) {
        try {
            return Integer.parseInt(number) >= 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
