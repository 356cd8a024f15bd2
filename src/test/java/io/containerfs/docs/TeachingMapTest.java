package io.containerfs.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/TEACHING.md cannot rot: every code reference in it names a file, function, type or method
 * that exists. The notation, in backticks (documented at the top of TEACHING.md):
 * <ul>
 *   <li>{@code src/main/c/core/container.c} — a file;
 *   <li>{@code src/main/c/core/overlay.c:cfs_mount_overlay()} — a C function <em>defined</em> in that file
 *       (a prototype is not enough);
 *   <li>{@code include/cfs.h:args_t} — a C type, macro or enum constant defined there;
 *   <li>{@code io.containerfs.cli.RunCommand} — a class; {@code io.containerfs.cli.RunCommand#run} — one
 *       of its methods or constructors; {@code io.containerfs.cli} — a package.
 * </ul>
 * Any backticked text that starts like a reference ({@code src/}, {@code include/}, {@code docs/},
 * {@code io.containerfs.}) but does not follow the notation fails the test too.
 */
class TeachingMapTest {
    static final Path MAP = Path.of("docs/TEACHING.md");

    private static final Pattern CODE_SPAN = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern LOOKS_LIKE_REFERENCE = Pattern.compile("^(src/|include/|docs/|io\\.containerfs\\.).*");
    private static final Pattern FILE_REFERENCE =
            Pattern.compile("^((?:src|include|docs)/[\\w./-]+\\.\\w+)(?::(\\w+)(\\(\\))?)?$");
    private static final Pattern JAVA_REFERENCE =
            Pattern.compile("^((?:[a-z]\\w*\\.)+[A-Z]\\w*(?:\\$[A-Z]\\w*)*)(?:#(\\w+))?$");
    private static final Pattern PACKAGE_REFERENCE = Pattern.compile("^[a-z]\\w*(?:\\.[a-z]\\w*)+$");
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

    static List<String> references(String markdown) {
        List<String> refs = new ArrayList<>();
        Matcher m = CODE_SPAN.matcher(markdown);
        while (m.find()) {
            if (LOOKS_LIKE_REFERENCE.matcher(m.group(1)).matches()) {
                refs.add(m.group(1));
            }
        }
        return refs;
    }

    /** What is wrong with a reference, or empty when it names something that exists. */
    static Optional<String> check(String ref) {
        Matcher file = FILE_REFERENCE.matcher(ref);
        if (file.matches()) {
            Path path = Path.of(file.group(1));
            if (!Files.isRegularFile(path)) {
                return Optional.of("no such file");
            }
            if (file.group(2) == null) {
                return Optional.empty();
            }
            String source = read(path);
            if (file.group(3) != null) {
                return definesFunction(source, file.group(2)) ? Optional.empty() : Optional.of("no definition of this function");
            }
            return definesName(source, file.group(2)) ? Optional.empty()
                    : Optional.of("no type, macro or enum constant of this name (a function needs \"()\")");
        }
        Matcher java = JAVA_REFERENCE.matcher(ref);
        if (java.matches()) {
            return checkJava(java.group(1), java.group(2));
        }
        if (PACKAGE_REFERENCE.matcher(ref).matches()) {
            String dir = ref.replace('.', '/');
            return Files.isDirectory(Path.of("src/main/java", dir)) || Files.isDirectory(Path.of("src/test/java", dir))
                    ? Optional.empty() : Optional.of("no such package");
        }
        return Optional.of("not in the map's notation (see the top of TEACHING.md)");
    }

    /** A top-level line naming the function whose parameter list is followed by a body. */
    static boolean definesFunction(String source, String name) {
        Matcher m = Pattern.compile("(?m)^(?:[A-Za-z_][\\w \\t*]*?[\\s*])?" + name + "\\s*\\(").matcher(source);
        while (m.find()) {
            int depth = 1;
            int i = m.end();
            while (i < source.length() && depth > 0) {
                char c = source.charAt(i++);
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            }
            while (i < source.length() && Character.isWhitespace(source.charAt(i))) {
                i++;
            }
            if (i < source.length() && source.charAt(i) == '{') {
                return true;
            }
        }
        return false;
    }

    /** #define NAME, typedef … NAME;, struct/enum NAME {, or an enum constant. */
    static boolean definesName(String source, String name) {
        String n = Pattern.quote(name);
        return Pattern.compile("(?m)^#define " + n + "\\b"
                + "|^\\}\\s*" + n + "\\s*;"
                + "|^(?:typedef\\s+)?(?:struct|enum|union)\\s+" + n + "\\s*\\{"
                + "|^\\s+" + n + "\\s*(?:=[^,]*)?,").matcher(source).find();
    }

    private static Optional<String> checkJava(String className, String member) {
        Class<?> type;
        try {
            type = Class.forName(className, false, TeachingMapTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return Optional.of("no such class");
        }
        String topLevel = className.replaceFirst("\\$.*", "").replace('.', '/') + ".java";
        if (!Files.isRegularFile(Path.of("src/main/java", topLevel)) && !Files.isRegularFile(Path.of("src/test/java", topLevel))) {
            return Optional.of("the class has no source file under src/main/java or src/test/java");
        }
        if (member == null) {
            return Optional.empty();
        }
        boolean method = Arrays.stream(type.getDeclaredMethods()).map(Method::getName).anyMatch(member::equals);
        boolean constructor = member.equals(type.getSimpleName()) && type.getDeclaredConstructors().length > 0;
        return method || constructor ? Optional.empty() : Optional.of("no method of this name");
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
