package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * An {@code exec}'d process is in the container's PID namespace from its clone on, before it has
 * joined the container's mount namespace or shed the front end's descriptors and capabilities.
 * A container given CAP_SYS_PTRACE (as for a debugger) may open any process's /proc/PID/root,
 * cwd, fd and mem that it sees: through one still rooted in the host's /, it read the host's
 * files. {@code peek} (src/test/c/peek.c) watches for every exec and tries a file of the host's
 * through the new process's root and working directory; it must find nothing.
 */
@Privileged
class OciExecIsolationIT extends OciBundleTest {
    private static final int EXECS = 20;

    OciExecIsolationIT() {
        super("it-execiso-");
    }

    @Test
    void aContainerWithSysPtraceReachesNothingOfTheHostThroughAnExecdProcess() throws Exception {
        Path rootfs = bundle.resolve("rootfs");
        Path peek = rootfs.resolve("usr/bin/peek");
        PrivilegedCondition.requireInCi(Fixtures.onPath("musl-gcc"), "musl-gcc (Debian package musl-tools)");
        Commands.Result cc = Commands.run("musl-gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o",
                peek.toString(), Fixtures.basedir().resolve("src/test/c/peek.c").toString());
        assertEquals(0, cc.exitCode(), cc::toString);
        Path marker = Files.writeString(tmp.resolve("host-only"), "host-secret\n"); // the exec's cwd is tmp
        Path config = bundle.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"terminal\": true", "\"terminal\": false")
                .replace("\"CAP_KILL\",", "\"CAP_KILL\", \"CAP_SYS_PTRACE\",")
                .replaceFirst("\"args\": \\[[^\\]]*\\]", Matcher.quoteReplacement("\"args\": [\"peek\", \"" + marker
                        + "\", \"host-only\"]")));
        String id = id("ptrace");

        Process create = detached("create", "--bundle", bundle.toString(), id);
        assertTrue(create.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "create returned");
        assertEquals(0, create.exitValue(), () -> read(tmp.resolve("create.err")));
        assertEquals(0, oci("start", id).exitCode());
        for (int i = 0; i < EXECS; i++) {
            Commands.Result exec = oci("exec", id, "grep", "CapEff", "/proc/self/status");
            if (!field(state(id), "status").equals("running")) {
                break; // peek ended: it read the file, and says so below
            }
            assertEquals(0, exec.exitCode(), exec::toString);
            assertEquals("CapEff:\t0000000020080420\n", exec.stdout(), exec::toString);
        }
        Files.createFile(rootfs.resolve("stop"));
        waitFor(() -> field(state(id), "status").equals("stopped"), "peek ended");

        assertEquals("nothing\n", read(tmp.resolve("create.out")), "a process exec'd into the container gave"
                + " the host's files away");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
