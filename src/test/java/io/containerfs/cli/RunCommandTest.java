package io.containerfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.linux.ContainerException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RunCommandTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final RunCommand command = new RunCommand(new PrintStream(err, true, StandardCharsets.UTF_8));

    private String printed() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void commandNotFoundIs127() {
        int exit = command.exitFor(new ContainerException("exec", "nosuch", 2, "exec `nosuch`: No such file or directory"));
        assertEquals(127, exit);
        assertEquals("container-fs: exec `nosuch`: No such file or directory (not found in the container's PATH)\n", printed());
    }

    @Test
    void commandNotRunnableIs126() {
        int exit = command.exitFor(new ContainerException("exec", "/etc/passwd", 13, "exec `/etc/passwd`: Permission denied"));
        assertEquals(126, exit);
        assertTrue(printed().startsWith("container-fs: exec `/etc/passwd`: Permission denied"));
    }

    @Test
    void setupFailureIs125WithTheStepAndAHint() {
        int exit = command.exitFor(new ContainerException("mount overlay", "/tmp/x/root", 22,
                "mount overlay on `/tmp/x/root`: Invalid argument"));
        assertEquals(125, exit);
        assertTrue(printed().startsWith("container-fs: mount overlay on `/tmp/x/root`: Invalid argument ("), printed());
        assertEquals(1, printed().lines().count(), "one line");
    }

    @Test
    void permissionErrorsSaySudo() {
        command.exitFor(new ContainerException("clone", "", 1, "clone: Operation not permitted"));
        assertTrue(printed().contains("sudo"), printed());
    }
}
