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
     * @throws LayerException when a name is in neither file, or a number is out of range
     */
    public static ContainerUser resolve(String spec, List<Path> layers) throws LayerException {
        String[] parts = spec.split(":", -1);
        if (parts.length > 2 || parts[0].isEmpty() || (parts.length == 2 && parts[1].isEmpty())) {
            throw new LayerException("invalid --user '" + spec + "': give NAME or UID, optionally :GROUP or :GID");
        }
        List<String[]> passwd = entries(layers, "etc/passwd");
        List<String[]> group = entries(layers, "etc/group");
        Optional<String[]> user = find(passwd, parts[0], 2);
        if (user.isEmpty() && !isNumber(parts[0])) {
            throw new LayerException("--user '" + parts[0] + "': no such user in the container's /etc/passwd");
        }
        int uid = user.map(e -> number(e, 2)).orElseGet(() -> Integer.parseInt(parts[0]));
        int gid = user.map(e -> number(e, 3)).orElse(0);
        String home = user.map(e -> e.length > 5 && !e[5].isEmpty() ? e[5] : "/").orElse("/");
        if (parts.length == 2) {
            Optional<String[]> chosen = find(group, parts[1], 2);
            if (chosen.isEmpty() && !isNumber(parts[1])) {
                throw new LayerException("--user '" + spec + "': no such group '" + parts[1]
                        + "' in the container's /etc/group");
            }
            gid = chosen.map(e -> number(e, 2)).orElseGet(() -> Integer.parseInt(parts[1]));
        }
        List<Integer> groups = new ArrayList<>(List.of(gid));
        if (user.isPresent()) {
            String name = user.get()[0];
            for (String[] g : group) {
                int id = number(g, 2);
                if (g.length > 3 && Arrays.asList(g[3].split(",")).contains(name) && !groups.contains(id)) {
                    groups.add(id);
                }
            }
        }
        return new ContainerUser(uid, gid, groups, home);
    }

    /** The colon-separated lines of a file in the merged layers; none when it is missing. */
    private static List<String[]> entries(List<Path> layers, String relative) throws LayerException {
        try {
            Optional<Path> file = MergedFile.find(layers, relative);
            if (file.isEmpty()) {
                return List.of();
            }
            List<String[]> out = new ArrayList<>();
            for (String line : MergedFile.readLines(file.get())) {
                String[] fields = line.split(":", -1);
                if (fields.length >= 3 && !line.startsWith("#") && isNumber(fields[2])) {
                    out.add(fields);
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
        if (isNumber(nameOrId)) {
            for (String[] e : entries) {
                if (e[idField].equals(String.valueOf(Integer.parseInt(nameOrId)))) {
                    return Optional.of(e);
                }
            }
        }
        return Optional.empty();
    }

    private static int number(String[] entry, int field) {
        return Integer.parseInt(entry[field]);
    }

    private static boolean isNumber(String s) {
        if (!s.matches("\\d{1,10}")) {
            return false;
        }
        long n = Long.parseLong(s);
        return n <= Integer.MAX_VALUE;
    }
}
