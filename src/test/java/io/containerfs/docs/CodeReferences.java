package io.containerfs.docs;

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

/**
 * The checker behind the docs' tests: whether a code reference written in the notation of
 * docs/TEACHING.md names something that exists. The notation, in backticks:
 * <ul>
 *   <li>{@code src/main/c/core/container.c} — a file;
 *   <li>{@code src/main/c/core/overlay.c:cfs_mount_overlay()} — a C function <em>defined</em> in that file
 *       (a prototype is not enough);
 *   <li>{@code include/cfs.h:args_t} — a C type, macro or enum constant defined there;
 *   <li>{@code io.containerfs.cli.RunCommand} — a class; {@code io.containerfs.cli.RunCommand#run} — one
 *       of its methods or constructors; {@code io.containerfs.cli} — a package.
 * </ul>
 * Paths are relative to the project's directory, where Maven runs the tests.
 */
final class CodeReferences {
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern LOOKS_LIKE_REFERENCE = Pattern.compile("^(src/|include/|docs/|io\\.containerfs\\.).*");
    private static final Pattern FILE_REFERENCE =
            Pattern.compile("^((?:src|include|docs)/[\\w./-]+\\.\\w+)(?::(\\w+)(\\(\\))?)?$");
    private static final Pattern JAVA_REFERENCE =
            Pattern.compile("^((?:[a-z]\\w*\\.)+[A-Z]\\w*(?:\\$[A-Z]\\w*)*)(?:#(\\w+))?$");
    private static final Pattern PACKAGE_REFERENCE = Pattern.compile("^[a-z]\\w*(?:\\.[a-z]\\w*)+$");

    private CodeReferences() {}

    /** The text of every code span (`…`) in the markdown. */
    static List<String> codeSpans(String markdown) {
        List<String> spans = new ArrayList<>();
        Matcher m = CODE_SPAN.matcher(markdown);
        while (m.find()) {
            spans.add(m.group(1));
        }
        return spans;
    }

    /** The code spans that start like a reference: src/, include/, docs/ or io.containerfs. */
    static List<String> references(String markdown) {
        List<String> refs = new ArrayList<>();
        for (String span : codeSpans(markdown)) {
            if (looksLikeReference(span)) {
                refs.add(span);
            }
        }
        return refs;
    }

    static boolean looksLikeReference(String text) {
        return LOOKS_LIKE_REFERENCE.matcher(text).matches();
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
        return Optional.of("not in the notation (see the top of docs/TEACHING.md)");
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
            type = Class.forName(className, false, CodeReferences.class.getClassLoader());
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

    static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
