package io.containerfs.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The parser TraceIT compares --trace with: a mistake here would let TraceIT pass on nothing. */
class StraceLogTest {

    @Test
    void joinsInterruptedCallsWhereTheyStarted() {
        StraceLog log = StraceLog.parse(List.of(
                "10 clone(child_stack=0x7f00, flags=CLONE_NEWNS|CLONE_NEWPID|SIGCHLD <unfinished ...>",
                "11 mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL <unfinished ...>",
                "10 <... clone resumed>)              = 11",
                "11 <... mount resumed>)              = 0",
                "10 wait4(11,  <unfinished ...>",
                "11 +++ exited with 3 +++",
                "10 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 11"));

        assertEquals(List.of(
                new StraceLog.Call(10, "clone(child_stack=0x7f00, flags=CLONE_NEWNS|CLONE_NEWPID|SIGCHLD) = 11"),
                new StraceLog.Call(11, "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = 0"),
                new StraceLog.Call(10, "wait4(11, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 11")),
                log.calls());
        assertEquals(2, log.of(10).size());
    }

    @Test
    void dropsOnlyTheAlignmentBeforeTheResult() {
        assertEquals("mkdir(\"proc\", 0555) = -1 EEXIST (File exists)",
                StraceLog.normalize("mkdir(\"proc\", 0555)               = -1 EEXIST (File exists)"));
        assertEquals("chdir(\"a)   = b\") = 0", StraceLog.normalize("chdir(\"a)   = b\")      = 0"));
    }

    @Test
    void cloneAndClone3GiveTheSameFlags() {
        Set<String> expected = Set.of("CLONE_NEWNS", "CLONE_NEWPID", "SIGCHLD");
        assertEquals(expected, StraceLog.cloneFlags("clone(child_stack=0x1, flags=CLONE_NEWNS|CLONE_NEWPID|SIGCHLD) = 5"));
        assertEquals(expected, StraceLog.cloneFlags(
                "clone3({flags=CLONE_NEWNS|CLONE_NEWPID, exit_signal=SIGCHLD, stack=0x1, stack_size=0x100000}, 88) = 5"));
        assertEquals("5", StraceLog.result("clone3({flags=CLONE_NEWNS}, 88) = 5"));
        assertEquals("-1", StraceLog.result("mkdir(\"dev\", 0755) = -1 EEXIST (File exists)"));
    }

    @Test
    void refusesWhatItDoesNotUnderstand() {
        assertThrows(IllegalArgumentException.class, () -> StraceLog.parse(List.of("mount(NULL) = 0")));
        assertThrows(IllegalArgumentException.class, () -> StraceLog.parse(List.of("12 <... mount resumed>) = 0")));
    }
}
