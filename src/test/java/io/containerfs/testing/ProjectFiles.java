package io.containerfs.testing;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The project's own files, as git sees them: tracked, or new and not ignored. What a checkout
 * grows beside them (demo/ after a quick start, target/, node_modules/, a Vagrant machine) is
 * not the project's, so a test that walks the tree walks this list instead (issue 22: Alpine's
 * scripts in demo/rootfs were shellchecked as ours).
 */
public final class ProjectFiles {
    private ProjectFiles() {}

    /** Relative to {@code root}, sorted; a tracked file deleted in the work tree is left out. */
    public static List<Path> of(Path root) {
        // safe.directory: under sudo the checkout is the user's, and git would refuse it as root.
        Commands.Result r = Commands.run(root, null, List.of("git", "-c", "safe.directory=*", "ls-files", "-z",
                "--cached", "--others", "--exclude-standard"));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("cannot list the project's files in " + root
                    + " (a git checkout, with git installed, is needed): " + r);
        }
        List<Path> files = new ArrayList<>();
        for (String name : r.stdout().split("\0")) {
            if (!name.isEmpty() && Files.exists(root.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                files.add(Path.of(name));
            }
        }
        // --cached names a conflicted file once per stage.
        return files.stream().distinct().sorted().toList();
    }
}
