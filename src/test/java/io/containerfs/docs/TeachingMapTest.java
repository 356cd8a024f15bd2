package io.containerfs.docs;

import static io.containerfs.docs.CodeReferences.check;
import static io.containerfs.docs.CodeReferences.read;
import static io.containerfs.docs.CodeReferences.references;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/TEACHING.md cannot rot: every code reference in it names a file, function, type or method
 * that exists, in the notation documented at the top of TEACHING.md and checked by
 * {@link CodeReferences}. Any backticked text that starts like a reference ({@code src/},
 * {@code include/}, {@code docs/}, {@code io.containerfs.}) but does not follow the notation fails
 * the test too. The other docs are checked, less strictly, by DocsReferencesTest.
 */
class TeachingMapTest {
    static final Path MAP = Path.of("docs/TEACHING.md");

    private static final Pattern MAN7_LINK = Pattern.compile("https://man7\\.org/[^)\\s>]*");
    private static final Pattern MAN7_PAGE =
            Pattern.compile("https://man7\\.org/linux/man-pages/man(\\d)/[\\w.+-]+\\.(\\d)\\w*\\.html(#[\\w-]+)?");

    @Test
    void everyCodeReferenceExists() {
        List<String> references = references(read(MAP));
        List<String> problems = new ArrayList<>();
        for (String ref : references) {
            check(ref).ifPresent(problem -> problems.add("`" + ref + "`: " + problem));
        }
        assertEquals(List.of(), problems, "stale references in " + MAP);
        assertTrue(references.size() >= 40, "only " + references.size() + " references found: is the parser right?");
    }

    @Test
    void everyStepOfTheExerciseIsMapped() {
        String map = read(MAP);
        for (int step = 1; step <= 6; step++) {
            assertTrue(Pattern.compile("(?m)^## Step " + step + "\\b").matcher(map).find(), "no section for step " + step);
        }
    }

    @Test
    void everyManPageLinkIsWellFormed() {
        Matcher m = MAN7_LINK.matcher(read(MAP));
        int links = 0;
        while (m.find()) {
            Matcher page = MAN7_PAGE.matcher(m.group());
            assertTrue(page.matches(), "not a man7.org man page address: " + m.group());
            assertEquals(page.group(1), page.group(2), "section directory and page disagree: " + m.group());
            links++;
        }
        assertTrue(links >= 15, "only " + links + " man page links");
    }

    /** The checker itself: it must say no to what does not exist, or the map test proves nothing. */
    @Test
    void theCheckerRejectsWhatDoesNotExist() {
        assertEquals(Optional.empty(), check("src/main/c/core/overlay.c:cfs_mount_overlay()"));
        assertEquals(Optional.empty(), check("include/cfs.h:args_t"));
        assertEquals(Optional.empty(), check("include/cfs.h:CFS_OPTIONS_MAX"));
        assertEquals(Optional.empty(), check("include/cfs.h:CFS_STEP_OVERLAY"));
        assertEquals(Optional.empty(), check("io.containerfs.cli.RunCommand#run"));
        assertEquals(Optional.empty(), check("io.containerfs.testing.ContainerFs$FrontEnd"));

        assertTrue(check("src/main/c/core/overlay.c:no_such_step()").isPresent());
        assertTrue(check("include/container.h:cfs_run_container()").isPresent(), "a prototype is not a definition");
        assertTrue(check("src/main/c/core/overlay.c:cfs_mount_overlay").isPresent(), "a function without ()");
        assertTrue(check("include/container.h:no_such_type").isPresent());
        assertTrue(check("src/main/c/no_such_file.c").isPresent());
        assertTrue(check("io.containerfs.cli.RunCommand#noSuchMethod").isPresent());
        assertTrue(check("io.containerfs.cli.NoSuchClass").isPresent());
        assertEquals(Optional.empty(), check("io.containerfs.cli"));
        assertTrue(check("io.containerfs.nosuchpackage").isPresent());
        assertTrue(check("src/main/c/core/overlay.c cfs_mount_overlay").isPresent(), "not the notation");
        assertEquals(List.of("src/a.c:f()", "io.containerfs.X#y"),
                references("`src/a.c:f()` and `printf` and `io.containerfs.X#y`"));
    }
}
