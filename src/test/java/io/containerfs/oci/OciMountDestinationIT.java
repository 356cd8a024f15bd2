package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * A config.json's mounts[].destination is a path in the container: one that climbs out of the
 * root with {@code ..} is refused in one line, and nothing is made on the host where it would
 * lead. Before the pivot the core makes each destination's missing directories and its empty
 * file below the root's real path, so {@code /../../x} made {@code x} two levels above the
 * bundle's rootfs, wherever that led: an empty /etc/nologin shuts the host's logins.
 */
@Privileged
class OciMountDestinationIT extends OciBundleTest {
    OciMountDestinationIT() {
        super("it-dest-");
    }

    @Test
    void aFileDestinationThatClimbsOutOfTheRootMakesNoFileOnTheHost() throws IOException {
        Path source = Files.writeString(tmp.resolve("source"), "hi\n");
        Path outside = tmp.resolve("made-outside"); // bundle/rootfs/../../made-outside

        refused("/../../made-outside", source);

        assertFalse(Files.exists(outside), "made on the host: " + outside);
    }

    @Test
    void aDirectoryDestinationThatClimbsOutOfTheRootMakesNoDirectoryOnTheHost() throws IOException {
        Path source = Files.createDirectory(tmp.resolve("source-dir"));
        Path outside = tmp.resolve("made-outside-dir");

        refused("/etc/../../../made-outside-dir/sub", source);

        assertFalse(Files.exists(outside), "made on the host: " + outside);
    }

    private void refused(String destination, Path source) throws IOException {
        Path config = bundle.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"terminal\": true", "\"terminal\": false")
                .replaceFirst("\"args\": \\[[^\\]]*\\]", "\"args\": [\"true\"]")
                .replaceFirst("\"mounts\": \\[", Matcher.quoteReplacement("\"mounts\": [{\"destination\": \""
                        + destination + "\", \"type\": \"bind\", \"source\": \"" + source
                        + "\", \"options\": [\"rbind\"]},")));
        String id = id("climb");

        Commands.Result run = oci("run", "--bundle", bundle.toString(), id);

        assertEquals(125, run.exitCode(), run::toString);
        assertEquals("", run.stdout(), run::toString);
        assertEquals(1, run.stderr().lines().count(), run::toString);
        assertTrue(run.stderr().startsWith("container-fs: mount on `" + destination + "`: Invalid argument (a path"
                + " in the container may not name `..`"), run::toString);
        assertFalse(Files.exists(root.resolve(id)), "no state left");
    }
}
