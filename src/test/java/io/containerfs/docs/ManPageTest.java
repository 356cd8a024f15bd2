package io.containerfs.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.cli.Main;
import io.containerfs.oci.OciCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The man page, docs/container-fs.1.md, describes every option --help lists and no other, for the
 * run form (its OPTIONS section) and for pull (its PULL section). The help is the one a user gets,
 * printed in-process by {@link Main}: a new option fails this test until the man page has an
 * entry for it, and so does an entry left behind for an option that is gone.
 */
class ManPageTest {
    static final Path MAN_PAGE = Path.of("docs/container-fs.1.md");

    /** Commons CLI's option lines: "  -e,--env <NAME>" or "     --trace", never a wrapped description. */
    private static final Pattern HELP_OPTION = Pattern.compile("(?m)^  (?:-\\w,| {3})--([a-z][a-z0-9-]*)");
    /** The man page's entries: a heading that starts with the option, "### `-e`, `--env` NAME". */
    private static final Pattern ENTRY = Pattern.compile("(?m)^#{2,4} `-.*$");
    private static final Pattern LONG_OPTION = Pattern.compile("`--([a-z][a-z0-9-]*)`");

    @Test
    void theManPageDescribesEveryOptionOfHelp() {
        Set<String> help = longOptions(help("--help"));
        assertTrue(help.size() >= 25, "only " + help.size() + " options found in --help: is the parser right? " + help);
        assertEquals(help, entries(section("OPTIONS")),
                "the long options of --help (expected) and the entries of the man page's OPTIONS section");
    }

    @Test
    void theManPageDescribesEveryOptionOfPullsHelp() {
        Set<String> help = longOptions(help("pull", "--help"));
        assertTrue(help.size() >= 10, "only " + help.size() + " options found in pull --help: is the parser right? " + help);
        assertEquals(help, entries(section("PULL")),
                "the long options of pull --help (expected) and the entries of the man page's PULL section");
    }

    @Test
    void theManPageDescribesEveryGlobalOptionOfTheOciRuntime() {
        assertEquals(new TreeSet<>(OciCommand.GLOBAL_OPTIONS), entries(section("OCI RUNTIME")),
                "the OCI runtime's global options (expected) and the entries of the man page's OCI RUNTIME section");
    }

    /** The parsers themselves: they must see an option on either side, or the tests above prove nothing. */
    @Test
    void theParsersFindOptionsOnBothSides() {
        assertEquals(Set.of("help", "trace", "env"), longOptions(
                "Options:\n  -h,--help   print this help\n     --trace  print the calls, as with\n"
                        + "              --wrapped in a description\n  -e,--env <NAME[=VALUE]>  set a variable\n"));
        assertEquals(Set.of("hostname", "help", "trace"), entries(
                "### `-h`, `--hostname` *NAME*\n\ntext naming `--memory`\n\n### `--help`\n\n#### `--trace`\n"));
    }

    private static String help(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8)).run(args);
        assertEquals(0, status, String.join(" ", args) + " failed: " + err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    static Set<String> longOptions(String help) {
        Set<String> options = new TreeSet<>();
        Matcher m = HELP_OPTION.matcher(help);
        while (m.find()) {
            options.add(m.group(1));
        }
        return options;
    }

    /** The long options the entries name: each entry's heading, not the text that mentions others. */
    static Set<String> entries(String markdown) {
        Set<String> options = new TreeSet<>();
        Matcher entry = ENTRY.matcher(markdown);
        while (entry.find()) {
            Matcher option = LONG_OPTION.matcher(entry.group());
            while (option.find()) {
                options.add(option.group(1));
            }
        }
        return options;
    }

    /** A top-level section of the man page ("# NAME"), up to the next one. */
    private static String section(String name) {
        String page = CodeReferences.read(MAN_PAGE);
        Matcher start = Pattern.compile("(?m)^# " + Pattern.quote(name) + "$").matcher(page);
        assertTrue(start.find(), MAN_PAGE + " has no section " + name);
        Matcher next = Pattern.compile("(?m)^# ").matcher(page);
        int end = next.find(start.end()) ? next.start() : page.length();
        return page.substring(start.end(), end);
    }
}
