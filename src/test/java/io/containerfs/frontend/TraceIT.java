package io.containerfs.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.LeftBehind;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code --trace} tells the truth: run under {@code strace -f}, every line it prints is a call strace
 * saw, with the same arguments and result, in the same order.
 *
 * <p>How the lines are compared:
 * <ul>
 *   <li>the child's calls (mount, chdir, mkdir, mknodat, symlink, pivot_root, umount2) must be <em>exactly</em>
 *       the strace lines of the child's pid before its first execve, in order: same text, including
 *       quoting and {@code -1 EEXIST (File exists)};
 *   <li>{@code execvp(file, argv)} is one or more {@code execve(path, argv, envp)} in strace (execvp
 *       tries each PATH entry): each has the same argv, and a path that is {@code file} or ends in
 *       {@code /file}; when the command ran, the last one returned 0;
 *   <li>{@code clone(FLAGS) = PID}: strace prints {@code clone(child_stack=…, flags=FLAGS) = PID} or
 *       {@code clone3({flags=…, exit_signal=…}, …) = PID}; the flag sets and the pid must be equal;
 *   <li>{@code waitpid(PID, [STATUS], 0) = PID} is glibc's {@code wait4(PID, [STATUS], 0, NULL) = PID},
 *       by the same process that cloned, after the clone.
 * </ul>
 * Order: the parent prints the clone line when clone() returns, which is after the child's exec
 * (CLONE_VFORK) or its failure, or, with --init, whenever the parent runs again; so the clone line is
 * not ordered; every other line must be in strace's order.
 */
@Privileged
class TraceIT {
    private static final String SYSCALLS = "clone,clone3,mount,umount2,mkdir,mknodat,symlink,chdir,pivot_root,execve,wait4";
    private static final Pattern TRACED = Pattern.compile(
            "^(clone|mount|umount2|mkdir|mknodat|symlink|chdir|pivot_root|execvp|waitpid)\\(.*");
    private static final Pattern EXECVP = Pattern.compile("^execvp\\((\".*?\"), (\\[.*\\])\\)$");
    private static final Pattern EXECVE =
            Pattern.compile("^execve\\(\"(.*?)\", (\\[.*\\]), 0x[0-9a-f]+ /\\* \\d+ vars? \\*/\\) = (.*)$");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void theCommandRuns(FrontEnd frontEnd) throws IOException {
        Traced run = traced(frontEnd, "fib");

        assertEquals(0, run.result.exitCode(), run.result::toString);
        assertEquals(Fixtures.FIB_OUTPUT, run.result.stdout());
        assertTraceMatchesStrace(run, "fib", true);
    }

    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void theCommandIsNotFound(FrontEnd frontEnd) throws IOException {
        Traced run = traced(frontEnd, "no-such-command");

        assertEquals(127, run.result.exitCode(), run.result::toString);
        assertTraceMatchesStrace(run, "no-such-command", false);
    }

    private record Traced(Commands.Result result, List<String> trace, StraceLog strace) {}

    /** WRITEDIR's name needs escaping in the option string and quoting in both logs. */
    private Traced traced(FrontEnd frontEnd, String command) throws IOException {
        PrivilegedCondition.requireInCi(Fixtures.onPath("strace"), "strace (Debian package strace)");
        Path rootfs = Fixtures.alpineRootfs();
        Path app = Fixtures.appLayer();
        Path writedir = Files.createDirectory(tmp.resolve("write dir,with:colon\\and\"quote"));
        Path log = tmp.resolve("strace.log");
        Path runTmp = Files.createDirectory(tmp.resolve("run-tmp"));
        LeftBehind leftBehind = LeftBehind.before(runTmp, tmp);

        List<String> argv = new ArrayList<>(List.of("strace", "-f", "-qq", "-e", "signal=none", "-s", "4096",
                "-o", log.toString(), "-e", "trace=" + SYSCALLS));
        argv.addAll(frontEnd.command());
        argv.addAll(List.of("--trace", rootfs.toString(), app.toString(), writedir.toString(), "--", command));
        Commands.Result result = Commands.run(null, null, argv, Map.of("TMPDIR", runTmp.toString()));

        leftBehind.assertNothing();
        List<String> trace = result.stderr().lines().filter(l -> TRACED.matcher(l).matches()).toList();
        return new Traced(result, trace, StraceLog.parse(Files.readAllLines(log)));
    }

    private static void assertTraceMatchesStrace(Traced run, String command, boolean ran) {
        List<String> trace = run.trace();
        String clone = only(trace, "clone(");
        String waitpid = only(trace, "waitpid(");
        String execvp = only(trace, "execvp(");
        int child = Integer.parseInt(StraceLog.result(clone));

        // The parent: clone, then wait4, by the same process.
        StraceLog.Call cloned = run.strace().calls().stream()
                .filter(c -> c.name().startsWith("clone") && String.valueOf(child).equals(StraceLog.result(c.line())))
                .findFirst()
                .orElseThrow(() -> new AssertionError("strace saw no clone returning " + child + "\n" + run.strace().calls()));
        assertEquals(StraceLog.cloneFlags("clone(flags=" + clone.substring(6, clone.indexOf(')')) + ")"),
                StraceLog.cloneFlags(cloned.line()), cloned.line());
        List<String> parent = lines(run.strace().of(cloned.pid()));
        String wait4 = waitpid.replaceFirst("^waitpid\\(", "wait4(").replaceFirst("\\], 0\\) = ", "], 0, NULL) = ");
        assertTrue(parent.indexOf(wait4) > parent.indexOf(cloned.line()),
                "strace's log of the parent has no " + wait4 + " after the clone:\n" + String.join("\n", parent));

        // The child: exactly its calls up to execve, then the execve attempts execvp made.
        List<String> childCalls = lines(run.strace().of(child));
        int firstExec = firstIndexStartingWith(childCalls, "execve(");
        assertTrue(firstExec > 0, "the child never called execve:\n" + String.join("\n", childCalls));
        List<String> traceChild = trace.stream()
                .filter(l -> !l.startsWith("clone(") && !l.startsWith("execvp(") && !l.startsWith("waitpid("))
                .toList();
        assertSameLines(childCalls.subList(0, firstExec), traceChild);
        assertTrue(traceChild.contains("pivot_root(\".\", \".\") = 0"), trace::toString);
        assertTrue(traceChild.stream().anyMatch(l -> l.startsWith("mount(\"overlay\"")
                && l.contains("/write dir\\\\,with\\\\:colon\\\\\\\\and\\\"quote,workdir=")),
                "WRITEDIR is not escaped for overlayfs, then quoted, in: " + trace);

        Matcher vp = EXECVP.matcher(execvp);
        assertTrue(vp.matches(), execvp);
        String file = vp.group(1).substring(1, vp.group(1).length() - 1);
        List<String> execs = childCalls.subList(firstExec, childCalls.size()).stream()
                .filter(l -> l.startsWith("execve(")).toList();
        String last = null;
        for (String execve : execs) {
            Matcher ve = EXECVE.matcher(execve);
            assertTrue(ve.matches(), execve);
            assertEquals(vp.group(2), ve.group(2), "argv of " + execve);
            assertTrue(ve.group(1).equals(file) || ve.group(1).endsWith("/" + file), execve);
            last = ve.group(3);
        }
        assertEquals(ran, "0".equals(last), "the last execve: " + execs);

        // The order: trace's lines (but the clone line, see above) as strace's were.
        List<String> expected = new ArrayList<>(traceChild);
        expected.add(execvp);
        expected.add(waitpid);
        assertEquals(expected, trace.stream().filter(l -> !l.equals(clone)).toList());
        assertTrue(trace.indexOf(clone) < trace.indexOf(waitpid), trace::toString);
    }

    /** Names the first line that differs, rather than printing both lists whole. */
    private static void assertSameLines(List<String> strace, List<String> trace) {
        for (int i = 0; i < Math.min(strace.size(), trace.size()); i++) {
            assertEquals(strace.get(i), trace.get(i), "line " + (i + 1) + " of the child's calls before execve");
        }
        assertEquals(strace.size(), trace.size(), "strace saw\n" + String.join("\n", strace)
                + "\n--trace printed\n" + String.join("\n", trace));
    }

    private static List<String> lines(List<StraceLog.Call> calls) {
        return calls.stream().map(StraceLog.Call::line).toList();
    }

    private static int firstIndexStartingWith(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static String only(List<String> trace, String prefix) {
        List<String> found = trace.stream().filter(l -> l.startsWith(prefix)).toList();
        assertEquals(1, found.size(), "expected one " + prefix + "…) line in --trace: " + trace);
        return found.get(0);
    }
}
