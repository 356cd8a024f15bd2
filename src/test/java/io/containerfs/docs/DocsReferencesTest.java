package io.containerfs.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The docs cannot rot: every file path and code name that README.md, CONTRIBUTING.md and
 * docs/*.md cite exists, and every relative link resolves. A code name is checked as
 * {@link CodeReferences} checks docs/TEACHING.md (a class, a method, a C function defined in a
 * file); a path is checked wherever the docs show it, in a code span or in a command of a code
 * block. Less strict than TeachingMapTest: a directory, a path without an extension and the
 * first word of a command count too. And the README stays one that people read.
 */
class DocsReferencesTest {
    static final int README_MAX_LINES = 250;

    private static final Pattern FENCED_BLOCK = Pattern.compile("(?ms)^```[^\\n]*\\n(.*?)^```[ \\t]*$");
    /** A path in the project: below one of its top-level folders, or one of its top-level files. */
    private static final Pattern PROJECT_PATH = Pattern.compile("^(?:(?:src|include|docs|scripts|examples|bench|tools"
            + "|\\.ci|\\.github)/[\\w./+-]*|README\\.md|CONTRIBUTING\\.md|pom\\.xml|Vagrantfile|\\.clang-format)$");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s#]+)(?:#[^)\\s]*)?\\)");
    /** What the build makes, outside target/: the docs name them, git does not hold them. */
    private static final Set<String> BUILD_PRODUCTS = Set.of("bin/container-fs", "src/main/c/container-fs",
            "examples/fib/fib");

    @Test
    void everyPathAndCodeNameTheDocsCiteExists() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path doc : docs()) {
            String text = CodeReferences.read(doc);
            List<String> words = new ArrayList<>();
            for (String span : CodeReferences.codeSpans(FENCED_BLOCK.matcher(text).replaceAll(""))) {
                words.add(span.strip().split("\\s+")[0]);
            }
            Matcher block = FENCED_BLOCK.matcher(text);
            while (block.find()) {
                for (String token : block.group(1).split("\\s+")) {
                    words.add(token.replaceAll("^[\"'(]+|[\"'),;:]+$", ""));
                }
            }
            for (String word : words) {
                if (isReference(word)) {
                    checked++;
                    check(word).ifPresent(p -> problems.add(doc + ": `" + word + "`: " + p));
                }
            }
        }
        assertEquals(List.of(), problems, "stale references in the docs");
        assertTrue(checked >= 200, "only " + checked + " references checked: is the parser right?");
    }

    @Test
    void everyRelativeLinkResolves() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path doc : docs()) {
            Matcher link = LINK.matcher(CodeReferences.read(doc));
            while (link.find()) {
                String target = link.group(1);
                if (!target.contains("://") && !Files.exists(doc.resolveSibling(target))) {
                    problems.add(doc + ": (" + target + ")");
                }
            }
        }
        assertEquals(List.of(), problems, "links to nothing");
    }

    @Test
    void theReadmeIsOnePeopleRead() throws IOException {
        List<String> readme = Files.readAllLines(Path.of("README.md"));
        assertTrue(readme.size() <= README_MAX_LINES,
                "README.md has " + readme.size() + " lines; at most " + README_MAX_LINES + ": move reference to the man page");
        String text = String.join("\n", readme);
        // .ci/run and CI's checks run the README's test command; the quick start is the README's first command.
        assertTrue(text.contains("sudo scripts/test.sh"), "the README names the test command");
        assertTrue(text.contains("sudo scripts/quickstart.sh"), "the README names the quick start");
    }

    /** One name: the docs say container-fs, and the plain-Java way once, in the README. */
    @Test
    void thePlainJavaWayIsShownOnce() throws IOException {
        String plainJava = "java -jar target/container-fs.jar";
        int count = 0;
        for (Path doc : List.of(Path.of("README.md"), Path.of("CONTRIBUTING.md"), Path.of("docs/container-fs.1.md"),
                Path.of("docs/SECURITY.md"), Path.of("docs/COURSE.md"))) {
            count += CodeReferences.read(doc).split(Pattern.quote(plainJava), -1).length - 1;
        }
        assertEquals(1, count, "`" + plainJava + "` in the user's docs: once, in the README");
        assertTrue(CodeReferences.read(Path.of("README.md")).contains(plainJava));
    }

    /** The checker itself: it must say no to what does not exist, or the test above proves nothing. */
    @Test
    void theCheckerRejectsWhatDoesNotExist() {
        assertEquals(Optional.empty(), check("scripts/test.sh"));
        assertEquals(Optional.empty(), check("src/main/c/core"));
        assertEquals(Optional.empty(), check("src/test/c/as-linux-5.4/bin/java"));
        assertEquals(Optional.empty(), check("src/main/c/container-fs"));
        assertEquals(Optional.empty(), check("include/cfs.h:args_t"));
        assertEquals(Optional.empty(), check("io.containerfs.run.NothingLostIT#aReadOnlyFallbackOfOverlayfsIsRefused"));
        assertTrue(check("scripts/no-such-script.sh").isPresent());
        assertTrue(check("docs/NOSUCH.md").isPresent());
        assertTrue(check("include/cfs.h:no_such_type").isPresent());
        assertTrue(check("src/main/c/core/container.c:no_such_step()").isPresent());
        assertTrue(check("io.containerfs.run.NothingLostIT#noSuchTest").isPresent());
        assertTrue(isReference("src/main/c/core/overlay.c:cfs_mount_overlay()"));
        assertTrue(isReference(".ci/run"));
        assertTrue(!isReference("printf"), "not a reference: not checked");
        assertTrue(!isReference("/proc/self/status"), "not the project's: not checked");
    }

    static List<Path> docs() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md"), Path.of("CONTRIBUTING.md")));
        try (Stream<Path> files = Files.list(Path.of("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** Whether a word the docs show names a code name or a path of the project. */
    static boolean isReference(String word) {
        return isCodeName(word) || PROJECT_PATH.matcher(word).matches();
    }

    private static boolean isCodeName(String word) {
        return word.startsWith("io.containerfs.") || (word.contains(":") && CodeReferences.looksLikeReference(word));
    }

    /** What is wrong with a reference, or empty when it names something that exists. */
    static Optional<String> check(String word) {
        if (isCodeName(word)) {
            return CodeReferences.check(word);
        }
        String path = word.replaceAll("/+$", "");
        return Files.exists(Path.of(path)) || BUILD_PRODUCTS.contains(path) ? Optional.empty()
                : Optional.of("no such file or directory");
    }
}
