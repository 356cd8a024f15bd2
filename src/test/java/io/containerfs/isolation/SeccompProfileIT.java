package io.containerfs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.ProbeLayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The seccomp filter is an allowlist, Docker's default profile (issue 23, #6): ordinary programs
 * run under it on both front ends, and {@code --security-opt seccomp=FILE} replaces it with a
 * profile in Docker's format, or says in one line, with 125, what is wrong with the file.
 */
@Privileged
class SeccompProfileIT {
    @RegisterExtension
    final ContainerDirs run = ContainerDirs.onAlpineWithApp();

    @TempDir
    Path profiles;

    /** OPTIONS, Alpine, the app layer, the probe's layer, WRITEDIR, --, COMMAND. */
    private Commands.Result run(FrontEnd frontEnd, List<String> options, String... command) {
        List<String> args = new ArrayList<>(options);
        args.addAll(List.of(run.rootfs().toString(), run.app().toString(), ProbeLayer.get().toString(),
                run.writedir().toString(), "--"));
        args.addAll(List.of(command));
        return frontEnd.runIn(run.tmpdir(), null, args.toArray(String[]::new));
    }

    private Path profile(String json) throws IOException {
        return profile("profile.json", json);
    }

    private Path profile(String name, String json) throws IOException {
        return Files.writeString(profiles.resolve(name), json);
    }

    /** busybox's sh and its applets, apk and the course's static fib, as the course runs them. */
    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void ordinaryProgramsRunUnderTheAllowlist(FrontEnd frontEnd) {
        Commands.Result r = run(frontEnd, List.of(), "sh", "-c",
                "apk --version && fib | tail -1 && mkdir -p /a/b && ls /a && grep Seccomp: /proc/self/status");
        assertEquals(0, r.exitCode(), r::toString);
        List<String> lines = r.stdout().lines().toList();
        assertTrue(lines.get(0).startsWith("apk-tools "), r::toString);
        assertEquals(List.of("b", "Seccomp:\t2"), lines.subList(lines.size() - 2, lines.size()), r::toString);
    }

    /** The plain C front end gets the same allowlist: the core decides it. */
    @Test
    void theCProgramGetsTheSameAllowlist() {
        Commands.Result r = run(FrontEnd.C_PROGRAM, List.of(), "probe", "io_uring_setup", "vsock_socket", "mseal");
        assertEquals("io_uring_setup EPERM\nvsock_socket EPERM\nmseal ENOSYS\n", r.stdout(), r::toString);
    }

    /**
     * A profile that refuses mkdir with errno 13 (EACCES) and allows the rest: mkdir fails with
     * "Permission denied", personality(ADDR_NO_RANDOMIZE) by its argument too, and what the default
     * profile refuses (io_uring) reaches the kernel.
     */
    @Test
    void aProfileOfTheUsersReplacesTheDefault() throws IOException {
        Path file = profile("""
                {
                  "defaultAction": "SCMP_ACT_ALLOW",
                  "syscalls": [
                    {"names": ["mkdir", "mkdirat", "no_such_call"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                    {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
                     "args": [{"index": 0, "value": 262144, "op": "SCMP_CMP_EQ"}]}
                  ]
                }
                """);
        Commands.Result r = run(FrontEnd.JAR, List.of("--security-opt", "seccomp=" + file), "sh", "-c",
                "mkdir /made; probe io_uring_setup personality");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("mkdir: can't create directory '/made': Permission denied"), r::toString);
        assertEquals("io_uring_setup EFAULT\npersonality EACCES\n", r.stdout(), r::toString);
        assertFalse(Files.exists(run.writedir().resolve("made")));
    }

    /** Docker's own rules tied to capabilities: --cap-add gives what includes.caps names. */
    @Test
    void aProfilesCapabilityRulesFollowTheCapabilitiesKept() throws IOException {
        Path file = profile("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["sethostname"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
                   "excludes": {"caps": ["CAP_SYS_ADMIN"]}}]}
                """);
        assertEquals("sethostname EACCES\n",
                run(FrontEnd.JAR, List.of("--security-opt", "seccomp=" + file), "probe", "sethostname").stdout());
        assertEquals("sethostname OK\n", run(FrontEnd.JAR, List.of("--security-opt", "seccomp=" + file,
                "--cap-add", "SYS_ADMIN"), "probe", "sethostname").stdout());
    }

    /** Bad profiles, and the words their one line holds. */
    private static final List<Map.Entry<String, String>> BAD_PROFILES = List.of(
            Map.entry("{\"defaultAction\": \"SCMP_ACT_ERRNO\",", "not JSON"),
            Map.entry("{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "unsupported action 'SCMP_ACT_NOTIFY'"),
            Map.entry("{\"syscalls\": []}", "defaultAction: missing"),
            Map.entry("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"],"
                    + " \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
                    + String.join(",", Collections.nCopies(7, "{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}"))
                    + "]}]}", "7 conditions; a system call has 6 arguments"),
            Map.entry("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"],"
                    + " \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1,"
                    + " \"op\": \"SCMP_CMP_SOMETIMES\"}]}]}", "unknown operator 'SCMP_CMP_SOMETIMES'"));

    /** Each bad profile: one line naming the file and what is wrong, 125, and nothing made. */
    @Test
    void aBadProfileIsOneLineAnd125() throws IOException {
        List<Map.Entry<Path, String>> cases = new ArrayList<>();
        for (Map.Entry<String, String> bad : BAD_PROFILES) {
            cases.add(Map.entry(profile("bad-" + cases.size() + ".json", bad.getKey()), bad.getValue()));
        }
        cases.add(Map.entry(profiles.resolve("missing.json"), "does not exist"));
        Path fifo = profiles.resolve("fifo");
        assertEquals(0, Commands.run("mkfifo", fifo.toString()).exitCode());
        cases.add(Map.entry(fifo, "not a regular file (a FIFO, socket or device)"));
        cases.add(Map.entry(profiles, "not a regular file (a directory)"));
        for (Map.Entry<Path, String> c : cases) {
            Path file = c.getKey();
            String content = Files.isRegularFile(file) ? Files.readString(file) : file.toString();
            Commands.Result r = run(FrontEnd.JAR, List.of("--security-opt", "seccomp=" + file), "probe", "mseal");
            assertEquals(125, r.exitCode(), content + ": " + r);
            assertEquals("", r.stdout(), content + ": " + r);
            assertEquals(1, r.stderr().lines().count(), content + ": " + r);
            assertTrue(r.stderr().startsWith("container-fs: seccomp profile '" + file + "': ")
                    && r.stderr().contains(c.getValue()), content + ": " + r);
            try (Stream<Path> made = Files.list(run.writedir())) {
                assertEquals(List.of(), made.toList(), "nothing made in WRITEDIR");
            }
        }
    }

    /** A profile whose filter would exceed the kernel's 4096 instructions: the core says so, and runs nothing. */
    @Test
    void aProfileTooLongForTheKernelIsOneLineAnd125() throws IOException {
        List<String> rules = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rules.add("{\"names\": [\"read\", \"write\", \"openat\", \"close\", \"getpid\", \"mmap\"],"
                    + " \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": " + i
                    + ", \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 1, \"value\": " + i + ", \"op\": \"SCMP_CMP_EQ\"}]}");
        }
        Path file = profile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [" + String.join(",", rules) + "]}");
        Commands.Result r = run(FrontEnd.JAR, List.of("--security-opt", "seccomp=" + file), "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals(1, r.stderr().lines().count(), r::toString);
        assertTrue(r.stderr().contains("longer than the kernel's 4096 instructions"), r::toString);
        try (Stream<Path> made = Files.list(run.writedir())) {
            assertEquals(List.of(), made.toList(), "nothing made in WRITEDIR");
        }
    }

    /** A profile larger than 1 MiB is refused before it is parsed. */
    @Test
    void aProfileTooLargeIsRefused() throws IOException {
        Path file = profile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"comment\": \"" + "x".repeat(1 << 20) + "\"}");
        Commands.Result r = run(FrontEnd.JAR, List.of("--security-opt", "seccomp=" + file), "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("container-fs: seccomp profile '" + file + "': larger than 1 MiB, the most container-fs reads\n",
                r.stderr());
    }
}
