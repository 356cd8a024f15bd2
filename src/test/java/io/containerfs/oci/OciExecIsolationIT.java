package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    /** A variable of the front end's environment, which no process of the container has. */
    private static final String FRONT_END_SECRET = "PEEK_FRONT_END";

    OciExecIsolationIT() {
        super("it-execiso-");
    }

    @Test
    void aContainerWithSysPtraceReachesNothingOfTheHostThroughAnExecdProcess() throws Exception {
        Path marker = Files.writeString(tmp.resolve("host-only"), "host-secret\n"); // the exec's cwd is tmp

        String seen = peekWhileExecing(true, "\"" + marker + "\", \"host-only\"", "0000000020080420");

        assertEquals("nothing\n", seen, "a process exec'd into the container gave the host's files away");
    }

    /**
     * Without CAP_SYS_PTRACE, root inside may still read /proc/PID/environ, exe and mem of a process
     * of its own user, as dumpable as the front end and with no more capabilities than its own: the
     * exec'd process, before its exec, is a copy of the front end (its environment here holds
     * {@code PEEK_FRONT_END}), and must be no such process.
     */
    @Test
    void aContainerWithDockersCapabilitiesReadsNothingOfTheFrontEndThroughAnExecdProcess() throws Exception {
        Path marker = Files.writeString(tmp.resolve("host-only"), "host-secret\n");

        String seen = peekWhileExecing(false, "\"" + marker + "\", \"host-only\", \"" + FRONT_END_SECRET + "\"",
                "0000000020000420");

        assertEquals("nothing\n", seen, "a process exec'd into the container gave the front end away");
    }

    /** What peek printed while EXECS processes were exec'd into its container, each checked for its capabilities. */
    private String peekWhileExecing(boolean ptrace, String peekArgs, String capEff) throws Exception {
        Path rootfs = bundle.resolve("rootfs");
        Path peek = rootfs.resolve("usr/bin/peek");
        PrivilegedCondition.requireInCi(Fixtures.onPath("musl-gcc"), "musl-gcc (Debian package musl-tools)");
        Commands.Result cc = Commands.run("musl-gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o",
                peek.toString(), Fixtures.basedir().resolve("src/test/c/peek.c").toString());
        assertEquals(0, cc.exitCode(), cc::toString);
        Path config = bundle.resolve("config.json");
        String text = Files.readString(config).replace("\"terminal\": true", "\"terminal\": false")
                .replaceFirst("\"args\": \\[[^\\]]*\\]", Matcher.quoteReplacement("\"args\": [\"peek\", " + peekArgs + "]"));
        Files.writeString(config, ptrace ? text.replace("\"CAP_KILL\",", "\"CAP_KILL\", \"CAP_SYS_PTRACE\",") : text);
        String id = id(ptrace ? "ptrace" : "plain");

        Process create = detached("create", "--bundle", bundle.toString(), id);
        assertTrue(create.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "create returned");
        assertEquals(0, create.exitValue(), () -> read(tmp.resolve("create.err")));
        assertEquals(0, oci("start", id).exitCode());
        for (int i = 0; i < EXECS; i++) {
            Commands.Result exec = Commands.run(tmp, "", List.of("env", FRONT_END_SECRET + "=1",
                    Fixtures.launcher().toString(), "--root", root.toString(), "exec", id, "grep", "CapEff",
                    "/proc/self/status"));
            if (!field(state(id), "status").equals("running")) {
                break; // peek ended: it read something, and says so below
            }
            assertEquals(0, exec.exitCode(), exec::toString);
            assertEquals("CapEff:\t" + capEff + "\n", exec.stdout(), exec::toString);
        }
        Files.createFile(rootfs.resolve("stop"));
        waitFor(() -> field(state(id), "status").equals("stopped"), "peek ended");
        return read(tmp.resolve("create.out"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
