package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * config.json's hooks (docs/OCI.md, "Hooks"), each a shell script that logs its phase, its mount
 * namespace, the state JSON it read on stdin and every descriptor it has above 2: each runs once,
 * in the runtime spec's order, where the spec says, with the container's state, keeping none of
 * container-fs's descriptors; a hook that fails or outlives its timeout fails create, leaving
 * nothing behind; a poststop hook that fails is a warning.
 */
@Privileged
class OciHooksIT extends OciBundleTest {
    OciHooksIT() {
        super("it-hook-");
    }


    private Path log;

    @BeforeEach
    void makeHookScripts() throws IOException {
        log = tmp.resolve("hooks.log");
        // On the host for every phase but startContainer, whose path resolves in the container.
        hookScript(tmp.resolve("hook.sh"), log.toString());
        hookScript(bundle.resolve("rootfs/hook.sh"), "/hooks.log");
    }

    @Test
    void eachHookRunsOnceInTheSpecsOrderWhereTheSpecSaysWithTheState() throws Exception {
        String host = tmp.resolve("hook.sh").toString();
        config("\"sh\", \"-c\", \"sleep 600\"", "\"createRuntime\": [" + hook(host, "createRuntime") + "],"
                + " \"prestart\": [" + hook(host, "prestart") + "],"
                + " \"createContainer\": [" + hook(host, "createContainer") + "],"
                + " \"startContainer\": [" + hook("/hook.sh", "startContainer") + "],"
                + " \"poststart\": [" + hook(host, "poststart") + "],"
                + " \"poststop\": [" + hook(host, "poststop") + "]");
        String id = id("all");
        Path pidFile = tmp.resolve("pid");

        Process create = detached("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), id);
        assertTrue(create.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "create returned");
        assertEquals(0, create.exitValue(), () -> read(tmp.resolve("create.err")));
        String pid = Files.readString(pidFile).trim();
        assertEquals(List.of("createRuntime", "prestart", "createContainer"), phases(log), read(log));
        assertEquals(0, oci("start", id).exitCode());
        assertEquals(List.of("createRuntime", "prestart", "createContainer", "poststart"), phases(log), read(log));
        Path inside = bundle.resolve("rootfs/hooks.log");
        waitFor(() -> Files.exists(inside), "startContainer ran in the container");
        assertEquals(0, oci("kill", id, "KILL").exitCode());
        waitFor(() -> oci("state", id).stdout().contains("\"stopped\""), "stopped");
        assertEquals(0, oci("delete", id).exitCode());

        List<String> lines = Files.readAllLines(log);
        assertEquals(List.of("createRuntime", "prestart", "createContainer", "poststart", "poststop"), phases(log));
        String hostMounts = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
        for (String line : lines) {
            String[] f = line.split(" ", 3);
            assertTrue(f[2].contains("\"id\": \"" + id + "\""), line);
            assertTrue(f[2].contains("\"bundle\": \"" + bundle + "\""), line);
            assertTrue(f[2].contains("\"pid\": " + (f[0].equals("poststop") ? "" : pid)), line);
            assertEquals(f[0].equals("createContainer"), !f[1].equals(hostMounts),
                    "only createContainer runs in the container's mount namespace: " + line);
        }
        assertTrue(lines.get(0).contains("\"status\": \"creating\""), lines.get(0));
        assertTrue(lines.get(3).contains("\"status\": \"running\""), lines.get(3));
        assertTrue(lines.get(4).contains("\"status\": \"stopped\""), lines.get(4));
        String started = read(inside);
        assertTrue(started.startsWith("startContainer ") && started.contains("\"status\": \"created\""), started);
        assertTrue(read(tmp.resolve("fds.prestart")).contains(" 2 -> "), "ls listed the hook's descriptors");
        assertEquals("", read(tmp.resolve("fds")) + read(bundle.resolve("rootfs/fds")),
                "a hook keeps no descriptor of container-fs's");
    }

    @Test
    void aFailingPrestartHookFailsCreateAndLeavesNothingBehind() throws Exception {
        config("\"true\"", "\"prestart\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"exit 3\"]}]");
        String id = id("failing");

        Process create = detached("create", "--bundle", bundle.toString(), id);
        assertTrue(create.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "create returned");

        assertEquals(125, create.exitValue());
        assertEquals("container-fs: run hook `/bin/sh`: exited with status 3\n", read(tmp.resolve("create.err")));
        assertFalse(Files.exists(root.resolve(id)), "no state left");
        assertFalse(Commands.run("sh", "-c", "ls -d /sys/fs/cgroup/*/container-fs.oci-" + id).exitCode() == 0,
                "no cgroup left");
    }

    @Test
    void aHookPastItsTimeoutIsKilledAndFailsCreate() throws Exception {
        String seconds = "60." + ProcessHandle.current().pid(); // this test's own sleep
        config("\"true\"", "\"createRuntime\": [{\"path\": \"/bin/sleep\", \"args\": [\"sleep\", \"" + seconds
                + "\"], \"timeout\": 1}]");
        String id = id("timeout");
        Instant before = Instant.now();

        Process create = detached("create", "--bundle", bundle.toString(), id);
        assertTrue(create.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "create returned");

        assertEquals(125, create.exitValue());
        assertTrue(Duration.between(before, Instant.now()).compareTo(Duration.ofSeconds(15)) < 0, "killed at 1 s");
        assertEquals("container-fs: run hook `/bin/sleep`: did not finish within its timeout of 1 s, and was"
                + " killed\n", read(tmp.resolve("create.err")));
        assertEquals("", Commands.run("sh", "-c", "pgrep -x -f 'sleep " + seconds + "' || true").stdout(), "the hook is gone");
    }

    @Test
    void aFailingPoststopHookIsAWarningAndDeleteGoesOn() throws Exception {
        config("\"true\"", "\"poststop\": [{\"path\": \"/bin/false\"}]");
        String id = id("poststop");
        Process create = detached("create", "--bundle", bundle.toString(), id);
        assertTrue(create.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "create returned");
        assertEquals(0, create.exitValue(), () -> read(tmp.resolve("create.err")));
        assertEquals(0, oci("start", id).exitCode());
        waitFor(() -> oci("state", id).stdout().contains("\"stopped\""), "stopped");

        Commands.Result delete = oci("delete", id);

        assertEquals(new Commands.Result(0, "", "container-fs: warning: run hook `/bin/false`: exited with status"
                + " 1\n"), delete);
        assertFalse(Files.exists(root.resolve(id)), "deleted all the same");
    }

    // ---- helpers ----

    /**
     * PHASE MOUNT-NAMESPACE STATE, one line per call; in fds, each descriptor above 2 that ls, run
     * first, inherited: not its own directory of /proc (which busybox shows without a target), nor
     * the shell's script.
     */
    private static void hookScript(Path script, String logPath) throws IOException {
        String dir = logPath.substring(0, logPath.lastIndexOf('/') + 1);
        Files.writeString(script, "#!/bin/sh\n"
                + "ls -l /proc/self/fd > " + dir + "fds.$1\n"
                + "awk -v me=\"$0\" -v phase=\"$1\" '$(NF-1) == \"->\" && $(NF-2)+0 > 2 && $NF != me && $NF !~ /^\\/proc\\// { print phase, $(NF-2), $NF }' "
                + dir + "fds.$1 >> " + dir + "fds\n"
                + "echo \"$1 $(readlink /proc/self/ns/mnt) $(cat)\" >> " + logPath + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String hook(String path, String phase) {
        return "{\"path\": \"" + path + "\", \"args\": [\"hook.sh\", \"" + phase + "\"], \"timeout\": 10}";
    }

    private static List<String> phases(Path log) throws IOException {
        return Files.exists(log) ? Files.readAllLines(log).stream().map(l -> l.split(" ")[0]).toList() : List.of();
    }


    private void config(String args, String hooks) throws IOException {
        Path config = bundle.resolve("config.json");
        Files.writeString(config, Files.readString(config)
                .replace("\"terminal\": true", "\"terminal\": false")
                .replace("\"readonly\": true", "\"readonly\": false")
                .replaceFirst("\"args\": \\[[^\\]]*\\]", "\"args\": [" + java.util.regex.Matcher.quoteReplacement(args)
                        + "]")
                .replaceFirst("\"linux\": \\{", "\"hooks\": {" + java.util.regex.Matcher.quoteReplacement(hooks)
                        + "},\n  \"linux\": {"));
    }




    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
