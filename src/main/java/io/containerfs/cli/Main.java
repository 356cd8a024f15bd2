package io.containerfs.cli;

import io.containerfs.oci.OciCommand;
import io.containerfs.pull.PullCommand;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Arrays;

/** Entry point: {@code java -jar container-fs.jar [OPTIONS] LAYER... WRITEDIR -- COMMAND [ARG...]}. */
public final class Main {
    private final PrintStream out;
    private final PrintStream err;

    public Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        int status = new Main(System.out, System.err).run(args);
        System.out.flush();
        System.err.flush();
        // halt, not System.exit: every finally block has run and pull's shutdown hook has nothing
        // left to remove, while Runtime.exit on JDK 21 and later first looks up the platform
        // logger "java.lang.Runtime" to log the exit: ~6 ms of a run on JDK 25 (docs/BENCHMARKS.md).
        Runtime.getRuntime().halt(status);
    }

    public int run(String[] args) {
        if (OciCommand.isOciForm(args)) {
            return new OciCommand(out, err).run(args); // before CommandLineSpec: state, kill and delete stay light
        }
        CommandLineSpec spec = new CommandLineSpec();
        if (args.length == 0) {
            err.print(CommandLineSpec.shortUsage());
            return ExitCode.USAGE.code();
        }
        if (CommandLineSpec.asksForHelp(args)) {
            spec.printHelp(new PrintWriter(out, true, Charset.defaultCharset()));
            return ExitCode.SUCCESS.code();
        }
        if (!CommandLineSpec.isRunForm(args) && args.length > 0 && args[0].equals("pull")) {
            return new PullCommand(out, err).run(Arrays.copyOfRange(args, 1, args.length));
        }
        try {
            ParsedOptions line = spec.parseOptions(args);
            if (line.has(CommandLineSpec.HELP)) {
                spec.printHelp(new PrintWriter(out, true, Charset.defaultCharset()));
                return ExitCode.SUCCESS.code();
            }
            if (line.has(CommandLineSpec.VERSION)) {
                out.println("container-fs " + version());
                out.println("spec: " + OciCommand.SPEC_VERSION); // as runc --version ends: the OCI runtime spec it speaks
                return ExitCode.SUCCESS.code();
            }
            return new RunCommand(err).run(spec.parseRun(args, line));
        } catch (UsageException e) {
            err.println("container-fs: " + OneLine.of(e.getMessage()));
            return ExitCode.FAILED.code();
        } catch (RuntimeException e) {
            // A bug, not bad input (BadInputIT feeds every option bad values): still one line, as pull says it.
            err.println(OneLine.of("container-fs: failed unexpectedly (" + e + "); please report it with the command"
                    + " line"));
            return ExitCode.FAILED.code();
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "(development build)";
    }
}
