package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The launcher answers {@code state}, {@code start}, {@code kill}, {@code delete}, {@code list} and
 * {@code ps} itself (src/main/c/launcher/oci.c, with the core's core/oci_state.c): no JVM starts for them,
 * which the tests prove by pointing CONTAINERFS_JAVA at a program that fails and leaves a mark.
 * The jar runs the same core code through JNI: for the same calls it gives the same answers, to
 * the byte, errors and log lines included.
 */
@Privileged
class OciFastPathIT extends OciBundleTest {
    private Path noJava;
    private Path jvmMark;

    OciFastPathIT() {
        super("it-fast-");
    }

    @BeforeEach
    void makeAJavaThatFails() throws IOException {
        jvmMark = tmp.resolve("a-jvm-was-started");
        noJava = tmp.resolve("no-java");
        Files.writeString(noJava, "#!/bin/sh\ntouch " + jvmMark + "\nexit 99\n");
        Files.setPosixFilePermissions(noJava, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void stateStartKillDeleteListAndPsRunWithoutAJvmAndWithoutConfigJson() throws Exception {
        Path hookLog = tmp.resolve("hooks.log");
        config("\"sh\", \"-c\", \"echo started > /started; exec sleep 600\"",
                "\"poststart\": [" + hook(hookLog, "poststart") + "], \"poststop\": [" + hook(hookLog, "poststop")
                        + "]");
        String id = id("life");
        create(id);
        // start and delete run the hooks create kept: the bundle's config.json is not read again.
        Files.delete(bundle.resolve("config.json"));

        assertEquals("created", field(fast("state", id).stdout(), "status"));
        String listed = fast("list").stdout();
        assertTrue(listed.startsWith("ID ") && listed.contains(id + " ") && listed.contains(" created "), listed);
        assertEquals(id + "\n", fast("list", "-q").stdout());
        fast("start", id);
        waitFor(() -> Files.exists(bundle.resolve("rootfs/started")), "the program runs after start");
        assertEquals("running", field(fast("state", id).stdout(), "status"));
        String pid = field(fast("state", id).stdout(), "pid");
        assertEquals("[" + pid + "]\n", fast("ps", "--format", "json", id).stdout(), "docker top's call");
        String table = fast("ps", id).stdout();
        assertTrue(table.matches("UID +PID +PPID +CMD\n0 +" + pid + " +\\d+ +sleep 600\n"), table);
        fast("kill", id, "KILL");
        waitFor(() -> field(fast("state", id).stdout(), "status").equals("stopped"), "stopped after kill");
        fast("delete", id);

        assertFalse(Files.exists(root.resolve(id)), "delete removed the state");
        List<String> hooks = Files.readAllLines(hookLog);
        assertEquals(2, hooks.size(), hooks::toString);
        assertTrue(hooks.get(0).startsWith("poststart {") && hooks.get(0).contains("\"status\": \"running\"")
                && hooks.get(0).contains("\"id\": \"" + id + "\""), hooks::toString);
        assertTrue(hooks.get(1).startsWith("poststop {") && hooks.get(1).contains("\"status\": \"stopped\""),
                hooks::toString);
        assertFalse(Files.exists(jvmMark), "no JVM was started");
    }

    @Test
    void theJarGivesTheLaunchersAnswersErrorsAndLogLinesIncluded() throws Exception {
        config("\"sleep\", \"600\"", "");
        String id = id("same");
        create(id);
        Path launcherLog = tmp.resolve("launcher.log");
        Path jarLog = tmp.resolve("jar.log");
        List<List<String>> calls = List.of(List.of("state", id), List.of("list"), List.of("list", "--format", "json"),
                List.of("list", "-q"), List.of("list", "--format", "yaml"), List.of("list", "extra"),
                List.of("state", "nosuch"), List.of("state"), List.of("state", id, "more"), List.of("state", "a/b"),
                List.of("kill", id, "NOSUCHSIGNAL"), List.of("kill"), List.of("kill", "--all=1", id),
                List.of("kill", "nosuch", "KILL"), List.of("start", "--detach", id), List.of("delete", id),
                List.of("delete", "nosuch"), List.of("delete", "--force", "nosuch"), List.of("start", "nosuch"),
                List.of("ps", id), List.of("ps", "--format", "json", id), List.of("ps", "-f", "yaml", id),
                List.of("ps"), List.of("ps", id, "-ef"), List.of("ps", "nosuch"));
        for (List<String> call : calls) {
            for (List<String> global : List.of(List.of("--root", root.toString()),
                    List.of("--root", root.toString(), "--log-format", "json"), List.of("--root", root.toString(),
                            "--debug"))) {
                List<String> args = Commands.concat(global, call);
                Commands.Result launcher = launcher(Commands.concat(List.of("--log", launcherLog.toString()), args));
                Commands.Result jar = jar(Commands.concat(List.of("--log", jarLog.toString()), args));
                assertEquals(jar, launcher, () -> "launcher and jar differ on " + args);
            }
        }
        for (List<String> global : List.of(List.of("--systemd-cgroup"), List.of("--log-format", "xml"),
                List.of("--criu", "criu"), List.of("--root=" + root, "--debug"))) {
            List<String> args = Commands.concat(global, List.of("state", id));
            assertEquals(jar(args), launcher(args), () -> "launcher and jar differ on " + args);
        }
        assertEquals(withoutTimes(jarLog), withoutTimes(launcherLog));
        assertTrue(Files.readString(launcherLog).contains("{\"level\":\"error\",\"msg\":\"container nosuch does not"
                + " exist\",\"time\":\""), () -> read(launcherLog));
        assertEquals("created", field(state(id), "status"), "no call changed the container");
        assertFalse(Files.exists(jvmMark), "no JVM was started by the launcher");
    }

    // ---- helpers ----

    private void create(String id) throws Exception {
        Process create = detached("create", "--bundle", bundle.toString(), id);
        assertTrue(create.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "create returned");
        assertEquals(0, create.exitValue(), () -> read(tmp.resolve("create.err")));
    }

    /** The launcher with --root ROOT and ARGS, its JVM one that fails; it must succeed. */
    private Commands.Result fast(String... args) {
        List<String> command = new ArrayList<>(List.of("--root", root.toString()));
        command.addAll(List.of(args));
        Commands.Result r = launcher(command);
        assertEquals(0, r.exitCode(), r::toString);
        return r;
    }

    private Commands.Result launcher(List<String> args) {
        return Commands.run(tmp, "", Commands.concat(List.of(Fixtures.launcher().toString()), args),
                Map.of("CONTAINERFS_JAVA", noJava.toString()));
    }

    private Commands.Result jar(List<String> args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return Commands.run(tmp, "", Commands.concat(List.of(java, "-jar", Fixtures.jar().toString()), args));
    }

    /** The log's lines, each without its time. */
    private static List<String> withoutTimes(Path log) throws IOException {
        return Files.readAllLines(log).stream().map(l -> l.replaceAll("\"?time\"?[:=]\"[^\"]*\"", "TIME")).toList();
    }

    /** config.json with these args and hooks (the members of "hooks"), no terminal, a writable root. */
    private void config(String args, String hooks) throws IOException {
        Path config = bundle.resolve("config.json");
        Files.writeString(config, Files.readString(config)
                .replace("\"terminal\": true", "\"terminal\": false")
                .replace("\"readonly\": true", "\"readonly\": false")
                .replaceFirst("\"args\": \\[[^\\]]*\\]", "\"args\": [" + Matcher.quoteReplacement(args) + "]")
                .replaceFirst("\"linux\": \\{", "\"hooks\": {" + Matcher.quoteReplacement(hooks) + "},\n  \"linux\": {"));
    }

    /** A hook that appends PHASE and the state it was given to LOG. */
    private static String hook(Path log, String phase) {
        return "{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo " + phase + " $(cat) >> " + log
                + "\"], \"timeout\": 10}";
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
