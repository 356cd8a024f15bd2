package io.containerfs.pull;

import io.containerfs.cli.ByteSize;
import io.containerfs.cli.ExitCode;
import io.containerfs.cli.ParsedOptions;
import io.containerfs.cli.UsageException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * The pull subcommand's command line: option names, parsing, defaults and help in one place.
 *
 * <pre>container-fs pull [OPTIONS] [alpine[:BRANCH] | docker://IMAGE | oci:LAYOUT[:TAG] | docker-archive:FILE] DIR</pre>
 */
public final class PullCommandLine {
    public static final String MIRROR_ENV = "CONTAINERFS_MIRROR";

    static final String HELP = "help";
    static final String ARCH = "arch";
    static final String MIRROR = "mirror";
    static final String FILE = "file";
    static final String SHA256 = "sha256";
    static final String QUIET = "quiet";
    static final String CACHE_DIR = "cache-dir";
    static final String MAX_BYTES = "max-bytes";
    static final String MAX_ENTRIES = "max-entries";
    static final String ALLOW_DEVICES = "allow-devices";
    static final String LAYER_STORE = "layer-store";
    static final String PLATFORM = "platform";
    static final String INSECURE_REGISTRY = "insecure-registry";

    static final String SYNTAX = "container-fs pull [OPTIONS] [alpine[:BRANCH] | docker://[REGISTRY/]NAME[:TAG|@DIGEST]"
            + " | oci:LAYOUT[:TAG] | docker-archive:FILE] DIR";

    static final String HEADER = "\nDownload the newest Alpine Linux mini root filesystem of BRANCH (default"
            + " latest-stable; also edge, v3.20, ...) from a mirror, check its size, SHA-256 and SHA-512"
            + " against the mirror's latest-releases.yaml, keep it in the cache, and extract it into DIR,"
            + " which must be absent or empty. DIR appears only once the whole tree is extracted. Entries"
            + " that could write outside DIR (absolute names, '..', paths through symlinks, hardlinks out)"
            + " are refused; so are device nodes and FIFOs, unless --allow-devices is given as root. Run it with sudo to keep the files' owners, as the"
            + " container needs.\n"
            + "docker://[REGISTRY/]NAME[:TAG|@DIGEST] (a registry; Docker Hub's docker.io, library/ and latest by"
            + " default), oci:LAYOUT[:TAG] (an OCI image layout, as skopeo copy makes) and docker-archive:FILE (as"
            + " podman save or docker save make) pull an image instead: every blob is checked against its digest as it"
            + " is read, each layer is unpacked once into the layer store (whiteouts become overlayfs's own),"
            + " and DIR gets the image's config.json and the list of its layers, for container-fs --image DIR."
            + " Up to 3 layers download at once. Needs root.\n\n";

    static String footer() {
        return "\nThe mirror is " + MirrorClient.DEFAULT_MIRROR + " unless $" + MIRROR_ENV
                + " or --mirror says otherwise.\n"
                + "The cache is $XDG_CACHE_HOME/container-fs, else ~/.cache/container-fs of the user running pull;\n"
                + "under sudo that is root's: /root/.cache/container-fs. When the mirror cannot be reached, the\n"
                + "tarball of the last successful pull of that branch is used from the cache.\n"
                + "A registry's user and password are read from $" + RegistryCredentials.AUTH_FILE_ENV
                + " (podman's auth.json), else ~/.docker/config.json,\n"
                + "or from the docker-credential-NAME helper it names (credHelpers, credsStore); an identity\n"
                + "token docker login kept there is traded at the registry's token service.\n\n"
                + "Exit status:\n"
                + ExitCode.SUCCESS.helpLine("DIR holds the root filesystem")
                + ExitCode.FAILED.helpLine("pull failed; DIR was left as it was (a one-line message says why)")
                + "\n"
                + "Examples:\n"
                + "  sudo container-fs pull rootfs\n"
                + "  sudo container-fs pull alpine:v3.20 rootfs\n"
                + "  sudo container-fs pull --file alpine-minirootfs-3.20.3-x86_64.tar.gz rootfs\n"
                + "  sudo container-fs pull docker://docker.io/library/alpine:3.20 image\n"
                + "  sudo container-fs pull oci:./layout:latest image\n"
                + "  sudo container-fs pull docker-archive:image.tar image\n";
    }

    /**
     * The patterns that check option values, compiled only when such an option is given: a regex
     * compiles lambdas, milliseconds to a JVM that has just started (docs/BENCHMARKS.md).
     */
    private static final class Syntax {
        /** A branch or arch is one path segment of a URL and of the cache: nothing that could climb out. */
        static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
        static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");
    }

    /** The options that take a value, by long name; the others are flags. */
    private static final List<String> WITH_VALUE = List.of(ARCH, MIRROR, FILE, SHA256, CACHE_DIR, MAX_BYTES,
            MAX_ENTRIES, LAYER_STORE, PLATFORM, INSECURE_REGISTRY);

    /** Defined on first use: the usual command lines never need them (see {@link #parseOptions}). */
    private Options options;

    private Options options() {
        if (options == null) {
            options = define();
        }
        return options;
    }

    private static Options define() {
        Options options = new Options();
        options.addOption(Option.builder("h").longOpt(HELP).desc("print this help and exit").get());
        options.addOption(Option.builder().longOpt(ARCH).hasArg().argName("ARCH")
                .desc("Alpine architecture to pull: x86_64, aarch64, armv7, x86, ... (default: this machine's)")
                .get());
        options.addOption(Option.builder().longOpt(MIRROR).hasArg().argName("URL")
                .desc("Alpine mirror to download from (default: $" + MIRROR_ENV + ", else "
                        + MirrorClient.DEFAULT_MIRROR + ")")
                .get());
        options.addOption(Option.builder().longOpt(FILE).hasArg().argName("TARBALL")
                .desc("extract this .tar.gz, .tgz or .tar instead of downloading (no network, no cache)")
                .get());
        options.addOption(Option.builder().longOpt(SHA256).hasArg().argName("HEX")
                .desc("with --file: the SHA-256 the tarball must have, or nothing is extracted")
                .get());
        options.addOption(Option.builder("q").longOpt(QUIET)
                .desc("no progress and no messages on stderr, only errors").get());
        options.addOption(Option.builder().longOpt(CACHE_DIR).hasArg().argName("DIR")
                .desc("where downloaded tarballs are kept (default: see below)").get());
        options.addOption(Option.builder().longOpt(MAX_BYTES).hasArg().argName("N[K|M|G]")
                .desc("refuse an archive that unpacks to more than N bytes (default: 20 times its compressed"
                        + " size, at least 32M), against decompression bombs")
                .get());
        options.addOption(Option.builder().longOpt(MAX_ENTRIES).hasArg().argName("N")
                .desc("refuse an archive of more than N entries (default: one per 64 compressed bytes,"
                        + " at least 10000)")
                .get());
        options.addOption(Option.builder().longOpt(ALLOW_DEVICES)
                .desc("as root: create the archive's character and block devices and FIFOs with their exact"
                        + " mode, owner and mtime, as tar --same-owner -p does, instead of refusing them (never"
                        + " through a symlink). Without root, pull fails before extracting anything")
                .get());
        options.addOption(Option.builder().longOpt(LAYER_STORE).hasArg().argName("DIR")
                .desc("with an image, where its layers are unpacked, once each (default: $"
                        + LayerStore.ENV + ", else " + LayerStore.DEFAULT + "; without root,"
                        + " $XDG_DATA_HOME/container-fs/layers, else ~/.local/share/container-fs/layers)")
                .get());
        options.addOption(Option.builder().longOpt(PLATFORM).hasArg().argName("OS/ARCH[/VARIANT]")
                .desc("with an image: which one of a multi-platform index or manifest list (default: linux and this"
                        + " machine's architecture, e.g. linux/amd64)")
                .get());
        options.addOption(Option.builder().longOpt(INSECURE_REGISTRY).hasArg().argName("HOST[:PORT]")
                .desc("with docker://: reach this registry over plain HTTP (localhost, 127.0.0.1 and ::1 always"
                        + " are); may be repeated")
                .get());
        return options;
    }

    /** @return null when only --help was asked */
    public PullRequest parse(String[] args, Map<String, String> env, String osArch, String userHome)
            throws UsageException {
        ParsedOptions line = parseOptions(args);
        if (line.has(HELP)) {
            return null;
        }
        List<String> words = line.words();
        String fileName = line.value(FILE);
        Optional<Path> file = fileName == null ? Optional.empty() : Optional.of(Path.of(fileName));
        String branch = ImageReference.DEFAULT_BRANCH;
        Optional<ImageSource> image = Optional.empty();
        if (file.isPresent() && words.size() != 1) {
            throw new UsageException("with --file, give only DIR: container-fs pull --file TARBALL DIR");
        }
        if (words.size() == 2) {
            image = imageSource(words.get(0));
            if (image.isEmpty()) {
                branch = reference(words.get(0)).branch();
            }
        } else if (words.size() != 1) {
            throw new UsageException((words.isEmpty() ? "no DIR given" : "too many arguments " + words)
                    + ": container-fs pull [alpine[:BRANCH] | docker://IMAGE | oci:LAYOUT[:TAG] | docker-archive:FILE] DIR");
        }
        for (String imageOnly : List.of(LAYER_STORE, PLATFORM, INSECURE_REGISTRY)) {
            if (image.isEmpty() && line.has(imageOnly)) {
                throw new UsageException("--" + imageOnly + " is for an image: give docker://IMAGE, oci:LAYOUT or"
                        + " docker-archive:FILE");
            }
        }
        if (line.has(SHA256) && file.isEmpty()) {
            throw new UsageException("--sha256 checks a tarball given with --file; a download is always checked"
                    + " against the mirror's index");
        }
        String cacheDir = line.value(CACHE_DIR);
        String layerStore = line.value(LAYER_STORE);
        return new PullRequest(
                branch,
                arch(line, osArch),
                mirror(line, env),
                cacheDir != null ? Path.of(cacheDir) : TarballCache.defaultDir(env, userHome),
                file,
                sha256(line),
                Path.of(words.get(words.size() - 1)),
                line.has(QUIET),
                size(line, MAX_BYTES),
                size(line, MAX_ENTRIES),
                line.has(ALLOW_DEVICES),
                image,
                layerStore != null ? Path.of(layerStore) : LayerStore.defaultRoot(env, userHome),
                platform(line, osArch),
                line.values(INSECURE_REGISTRY),
                RegistryCredentials.file(env, userHome));
    }

    private static Optional<ImageSource> imageSource(String word) throws UsageException {
        try {
            return ImageSource.parse(word);
        } catch (PullException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * The options and words. A command line whose every word starting with '-' is one of our
     * options spelled out in full, each given once, and each value a word that does not start with
     * '-' (pull's usual {@code --file TARBALL DIR} or {@code -q rootfs}) is read by hand: there
     * Commons CLI would give the same, and its parser and getters, with their lambdas and streams,
     * cost a JVM that has just started about 25 ms (docs/BENCHMARKS.md). Everything else (an
     * abbreviation, {@code --opt=value}, {@code --}, an unknown or repeated option, a value that
     * starts with '-') goes to Commons CLI, which also words the errors. PullCommandLineTest checks
     * that both give the same.
     */
    ParsedOptions parseOptions(String[] args) throws UsageException {
        ParsedOptions line = parseByHand(args);
        return line != null ? line : parseWithCommonsCli(args);
    }

    /** @return null when the words need Commons CLI */
    static ParsedOptions parseByHand(String[] args) {
        Map<String, List<String>> values = new HashMap<>();
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String word = args[i];
            if (!word.startsWith("-")) {
                words.add(word);
                continue;
            }
            String name = switch (word) {
                case "-h", "--help" -> HELP;
                case "-q", "--quiet" -> QUIET;
                case "--allow-devices" -> ALLOW_DEVICES;
                default -> word.startsWith("--") && WITH_VALUE.contains(word.substring(2)) ? word.substring(2) : null;
            };
            if (name == null || values.containsKey(name)) {
                return null;
            }
            List<String> given = List.of();
            if (WITH_VALUE.contains(name)) {
                if (i + 1 == args.length || args[i + 1].startsWith("-")) {
                    return null;
                }
                given = List.of(args[++i]);
            }
            values.put(name, given);
        }
        return new ParsedOptions(values, words);
    }

    ParsedOptions parseWithCommonsCli(String[] args) throws UsageException {
        try {
            return new ParsedOptions(new DefaultParser().parse(options(), args));
        } catch (ParseException e) {
            throw new UsageException(e.getMessage() + " (see pull --help)");
        }
    }

    private static ImageReference reference(String word) throws UsageException {
        try {
            return ImageReference.parse(word);
        } catch (PullException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static Platform platform(ParsedOptions line, String osArch) throws UsageException {
        String given = line.value(PLATFORM);
        if (given == null) {
            return Platform.of(osArch);
        }
        try {
            return Platform.parse(given);
        } catch (PullException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static String arch(ParsedOptions line, String osArch) throws UsageException {
        String arch = line.value(ARCH);
        if (arch == null) {
            Optional<String> alpine = Architecture.alpineName(osArch);
            if (alpine.isEmpty()) {
                throw new UsageException("the JVM's architecture '" + osArch + "' has no single Alpine name; give"
                        + " one with --arch (e.g. armv7 or armhf)");
            }
            return alpine.get();
        }
        if (!Syntax.SEGMENT.matcher(arch).matches()) {
            throw new UsageException("'" + arch + "' is not an architecture name; use e.g. --arch x86_64");
        }
        return arch;
    }

    private static URI mirror(ParsedOptions line, Map<String, String> env) throws UsageException {
        String given = line.value(MIRROR, env.getOrDefault(MIRROR_ENV, MirrorClient.DEFAULT_MIRROR));
        try {
            URI uri = new URI(given);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // Reported below, with the way to fix it.
        }
        throw new UsageException("the mirror '" + given + "' is not an http:// or https:// URL; use e.g. --mirror "
                + MirrorClient.DEFAULT_MIRROR);
    }

    private static Optional<String> sha256(ParsedOptions line) throws UsageException {
        String hex = line.value(SHA256);
        if (hex == null) {
            return Optional.empty();
        }
        if (!Syntax.HEX64.matcher(hex).matches()) {
            throw new UsageException("--sha256 wants the 64 hex digits sha256sum prints, not '" + hex + "'");
        }
        return Optional.of(hex.toLowerCase(Locale.ROOT));
    }

    /** A positive number in {@link ByteSize}'s grammar: a count of entries takes K, M and G too. */
    private static Optional<Long> size(ParsedOptions line, String option) throws UsageException {
        String value = line.value(option);
        if (value == null) {
            return Optional.empty();
        }
        try {
            long n = ByteSize.parse(value);
            if (n > 0) {
                return Optional.of(n);
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            // Not a size, or more than a long holds: as for zero, the message says what to give.
        }
        throw new UsageException("--" + option + " wants a positive number such as 1000000 or 512M, not '"
                + value + "'");
    }

    public void printHelp(PrintWriter out) {
        HelpFormatter help = HelpFormatter.builder().setShowSince(false).get();
        help.printHelp(out, 100, SYNTAX, HEADER, options(), 2, 2, footer(), false);
        out.flush();
    }
}
