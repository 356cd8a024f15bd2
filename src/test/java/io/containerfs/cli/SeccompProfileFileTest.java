package io.containerfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.linux.Capability;
import io.containerfs.linux.SeccompProfile;
import io.containerfs.linux.SeccompProfile.Action;
import io.containerfs.linux.SeccompProfile.Condition;
import io.containerfs.linux.SeccompProfile.Operator;
import io.containerfs.linux.SeccompProfile.Rule;
import io.containerfs.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Docker-format seccomp profiles, read as moby's profile/seccomp package reads them. */
class SeccompProfileFileTest {
    @TempDir
    Path dir;

    private SeccompProfile read(String json) throws IOException, UsageException {
        return SeccompProfileFile.read(Files.writeString(dir.resolve("p.json"), json));
    }

    private String error(String json) throws IOException {
        return assertThrows(UsageException.class, () -> read(json)).getMessage();
    }

    /** Rules as moby's default.json writes them: capabilities, architectures, minKernel, arguments. */
    @Test
    void mobysRulesAreRead() throws Exception {
        SeccompProfile p = read("""
                {
                  "defaultAction": "SCMP_ACT_ERRNO",
                  "defaultErrnoRet": 1,
                  "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
                  "syscalls": [
                    {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                    {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
                    {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
                     "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}],
                     "excludes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390", "s390x"]}},
                    {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
                     "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
                    {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
                    {"name": "getpid", "action": "SCMP_ACT_KILL", "comment": "the older format",
                     "args": [{"index": 5, "value": 18446744073709551615, "valueTwo": 3, "op": "SCMP_CMP_GE"}]},
                    {"names": null, "action": "SCMP_ACT_LOG", "args": null}
                  ]
                }
                """);
        assertEquals(Action.ERRNO.code(), p.defaultAction());
        assertEquals(1, p.defaultErrno());
        List<Rule> r = p.rules();
        assertEquals(new Rule(List.of("read", "write"), Action.ALLOW.code(), 1, 0, 0, 0, 0, 0, List.of()), r.get(0));
        assertEquals(4 << 16 | 8, r.get(1).minKernel());
        assertEquals(new Rule(List.of("clone"), Action.ALLOW.code(), 1, 0, Capability.SYS_ADMIN.bit(), 0,
                SeccompProfile.ARCH_OTHER, 0, List.of(new Condition(0, Operator.MASKED_EQ.code(), 2114060288, 0))),
                r.get(2));
        assertEquals(38, r.get(3).errnoRet());
        assertEquals(SeccompProfile.ARCH_X86_64 | SeccompProfile.ARCH_OTHER, r.get(4).arches());
        assertEquals(new Rule(List.of("getpid"), Action.KILL_THREAD.code(), 1, 0, 0, 0, 0, 0,
                List.of(new Condition(5, Operator.GE.code(), -1L, 3))), r.get(5));
        assertEquals(new Rule(List.of(), Action.LOG.code(), 1, 0, 0, 0, 0, 0, List.of()), r.get(6));
    }

    @Test
    void badProfilesSayWhereAndWhat() throws IOException {
        assertEquals("seccomp profile '" + dir.resolve("p.json") + "': syscalls[0].action: unsupported action"
                + " 'SCMP_ACT_TRACE'; use SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD,"
                + " SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP or SCMP_ACT_LOG",
                error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"],"
                        + " \"action\": \"SCMP_ACT_TRACE\"}]}"));
        assertTrue(error("[1, 2]").endsWith("the profile is not a JSON object"));
        assertTrue(error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 4096}")
                .endsWith("defaultErrnoRet: 4096; use an errno from 0 to 4095"));
        assertTrue(error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"],"
                + " \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}")
                .endsWith("syscalls[0].args[0].index: 6; use 0 to 5, the six arguments"));
        assertTrue(error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"],"
                + " \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQ\"}]}]}")
                .endsWith("syscalls[0].args[0].value: -1 is out of range; give a number from 0 to 2^64-1"));
        assertTrue(error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"],"
                + " \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_FLY\"]}}]}")
                .contains("syscalls[0].includes.caps[0]: unknown capability 'CAP_FLY'"));
        assertTrue(error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"],"
                + " \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"four\"}}]}")
                .contains("syscalls[0].includes.minKernel: 'four'"));
        assertTrue(error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultAction\": \"SCMP_ACT_ALLOW\"}")
                .contains("not JSON"));
    }

    /** A path with ':' stays a path, and unconfined still means no filter. */
    @Test
    void theCommandLineReadsTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("a:b.json"), "{\"defaultAction\": \"SCMP_ACT_LOG\"}");
        CommandLineSpec spec = new CommandLineSpec();
        String[] args = { "--security-opt", "seccomp:" + file, "a", "b", "--", "sh" };
        assertEquals(Optional.of(new SeccompProfile(Action.LOG.code(), 1, List.of())),
                spec.parseRun(args, spec.parseOptions(args)).isolation().seccompProfile());
    }

    /** The actions and operators cross JNI as numbers: include/cfs.h numbers them in the same order. */
    @Test
    void theNumbersAreTheCoresNumbers() throws IOException {
        String header = Files.readString(Fixtures.basedir().resolve("include/cfs.h"));
        assertEquals(names(Action.values()), constants(header, "cfs_seccomp_action"));
        assertEquals(names(Operator.values()), constants(header, "cfs_seccomp_operator"));
        assertTrue(header.contains("CFS_SECCOMP_NE = 1,"), "libseccomp numbers SCMP_CMP_NE 1");
    }

    private static List<String> names(Enum<?>[] values) {
        List<String> names = new ArrayList<>();
        for (Enum<?> v : values) {
            names.add(v.name());
        }
        return names;
    }

    private static List<String> constants(String header, String enumName) {
        Matcher body = Pattern.compile("enum " + enumName + " \\{(.*?)\\};", Pattern.DOTALL).matcher(header);
        assertTrue(body.find(), enumName);
        List<String> names = new ArrayList<>();
        Matcher constant = Pattern.compile("CFS_SECCOMP_(\\w+)").matcher(body.group(1).replaceAll("/\\*.*?\\*/", ""));
        while (constant.find()) {
            names.add(constant.group(1));
        }
        return names;
    }
}
