package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import io.containerfs.testing.PrivilegedCondition;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An OCI container with {@code process.terminal} (docs/OCI.md), driven as an engine drives runc:
 * the engine listens on a unix socket and passes it as {@code --console-socket}; the runtime
 * sends the master of the container's pty over it (SCM_RIGHTS). The engine's end here is
 * {@code console_receiver} (src/test/c/console_receiver.c, built with gcc), which prints what it
 * received and then relays the master to its own stdin and stdout, as conmon does.
 */
@Privileged
class OciTerminalIT extends OciBundleTest {
    OciTerminalIT() {
        super("it-tty-");
    }

    private static final Pattern RECEIVED = Pattern.compile("master of pty (\\d+) on device (\\d+)");
    /** What the program shows of its terminal, then one line it reads from it. */
    private static final String PROGRAM = "\"sh\", \"-c\", \"tty; stty size; stat -c %d /dev/pts; echo ready;"
            + " read line; echo got:$line; exit 3\"";

    private Path socket;
    private Path receiverProgram;
    private final List<Process> receivers = new ArrayList<>();

    @BeforeEach
    void makeReceiver() {
        PrivilegedCondition.requireInCi(Fixtures.onPath("gcc"), "gcc (Debian package gcc)");
        socket = tmp.resolve("console.sock");
        receiverProgram = tmp.resolve("console_receiver");
        Commands.Result cc = Commands.run("gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", receiverProgram.toString(),
                Fixtures.basedir().resolve("src/test/c/console_receiver.c").toString());
        assertEquals(0, cc.exitCode(), cc::toString);
    }

    /** Before the containers are deleted (OciBundleTest). */
    @AfterEach
    void stopReceivers() throws InterruptedException {
        for (Process p : receivers) {
            p.destroyForcibly(); // by its own pid
            p.waitFor();
        }
    }

    /**
     * create sends the master while the container waits (status created); after start the
     * program sees its terminal as /dev/pts/0 of its own devpts (not the host's), sized as
     * process.consoleSize says, and reads what the engine types.
     */
    @Test
    void createSendsTheContainersOwnTerminalToTheConsoleSocket() throws Exception {
        config(PROGRAM, true);
        String id = id("create");
        Receiver receiver = receiver();

        Commands.Result create = oci("create", "--bundle", bundle.toString(), "--console-socket", socket.toString(), id);

        assertEquals(new Commands.Result(0, "", ""), create);
        waitFor(() -> RECEIVED.matcher(receiver.errors()).find(), () -> "the master was received: " + receiver.errors());
        assertEquals("created", field(state(id), "status"), "sent by create, before start");
        Matcher received = RECEIVED.matcher(receiver.errors());
        assertTrue(received.find());
        assertEquals("0", received.group(1), "the first pty of a devpts of its own");

        assertEquals(0, oci("start", id).exitCode());
        waitFor(() -> receiver.output().contains("ready"), () -> "the program runs: " + receiver.output());
        receiver.type("hello\n");
        assertTrue(receiver.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the program closed its terminal");

        List<String> lines = List.of(receiver.output().split("\r\n")); // the terminal's line ends
        assertEquals("/dev/pts/0", lines.get(0), receiver.output());
        assertEquals("33 97", lines.get(1), "process.consoleSize");
        assertEquals(received.group(2), lines.get(2), "the container's /dev/pts is the devpts of the master");
        assertNotEquals(Files.getAttribute(Path.of("/dev/pts"), "unix:dev").toString(), lines.get(2),
                "not the host's devpts");
        assertTrue(lines.contains("got:hello"), receiver.output());
        waitFor(() -> field(state(id), "status").equals("stopped"), () -> "stopped");
        assertEquals(0, oci("delete", id).exitCode());
    }

    /** run with a console socket sends the master too, then waits: its status is the program's. */
    @Test
    void runWithAConsoleSocketWaitsAndReturnsTheProgramsStatus() throws Exception {
        config(PROGRAM, true);
        Receiver receiver = receiver();

        CompletableFuture<Commands.Result> run = CompletableFuture.supplyAsync(() -> oci("run", "--bundle",
                bundle.toString(), "--console-socket", socket.toString(), id("run")));
        waitFor(() -> receiver.output().contains("ready"), () -> "the program runs: " + receiver.output());
        receiver.type("typed\n");

        assertEquals(new Commands.Result(3, "", ""), run.get(WAIT.toSeconds(), TimeUnit.SECONDS),
                "the program's status; its output went to the terminal");
        assertTrue(receiver.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the program closed its terminal");
        assertTrue(receiver.output().startsWith("/dev/pts/0\r\n33 97\r\n"), receiver.output());
        assertTrue(receiver.output().contains("got:typed\r\n"), receiver.output());
    }

    /** The program's user owns its terminal, as login(1) and runc make it; its group is tty (5). */
    @Test
    void theUsersTerminalIsItsOwn() throws Exception {
        config("\"sh\", \"-c\", \"id -u; stat -c '%u %g %a' $(tty); echo mine > $(tty) && echo wrote\"", true);
        Path config = bundle.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"uid\": 0,", "\"uid\": 1000,")
                .replace("\"gid\": 0", "\"gid\": 1000"));
        Receiver receiver = receiver();

        Commands.Result run = oci("run", "--bundle", bundle.toString(), "--console-socket", socket.toString(),
                id("user"));

        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(receiver.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the program closed its terminal");
        assertEquals(List.of("1000", "1000 5 620", "mine", "wrote"), List.of(receiver.output().split("\r\n")),
                receiver.output());
    }

    /** As runc: create cannot relay a terminal, so it needs a socket to send it to. */
    @Test
    void aTerminalWithoutAConsoleSocketIsRefusedByCreate() throws IOException {
        config("\"true\"", true);
        String id = id("nosocket");

        Commands.Result create = oci("create", "--bundle", bundle.toString(), id);

        assertEquals(new Commands.Result(125, "", "container-fs: process.terminal is true: create needs"
                + " --console-socket, the socket to send the terminal to\n"), create);
        assertFalse(Files.exists(root.resolve(id)), "nothing left behind");
    }

    @Test
    void aConsoleSocketWithoutATerminalIsRefused() throws IOException {
        config("\"true\"", false);
        String id = id("noterminal");

        Commands.Result create = oci("create", "--bundle", bundle.toString(), "--console-socket", socket.toString(), id);

        assertEquals(125, create.exitCode(), create::toString);
        assertEquals("container-fs: --console-socket needs process.terminal to be true: without a terminal there is"
                + " nothing to send\n", create.stderr());
        assertFalse(Files.exists(root.resolve(id)), "nothing left behind");
    }

    /** Nobody listens there: one line naming the socket, before any container is made. */
    @Test
    void aConsoleSocketNobodyListensOnIsOneLineAndLeavesNothing() throws IOException {
        config("\"true\"", true);
        String id = id("nobody");

        Commands.Result create = oci("create", "--bundle", bundle.toString(), "--console-socket", socket.toString(), id);

        assertEquals(new Commands.Result(125, "", "container-fs: set up the terminal on `" + socket
                + "`: No such file or directory\n"), create);
        assertFalse(Files.exists(root.resolve(id)), "nothing left behind");
        assertFalse(Files.exists(Path.of("/sys/fs/cgroup/pids/container-fs.oci-" + id)), "no cgroup");
        assertFalse(Files.exists(Path.of("/sys/fs/cgroup/container-fs.oci-" + id)), "no cgroup");
    }

    /**
     * exec --tty --console-socket, as podman exec -it calls it: the exec'd process gets a pty of
     * the container's own devpts (the next one after its program's), sent to the engine's
     * socket; what it prints and reads goes through that terminal.
     */
    @Test
    void execWithATerminalSendsAPtyOfTheContainersOwnDevpts() throws Exception {
        config("\"sleep\", \"600\"", true);
        String id = id("exec");
        Receiver program = receiver();
        assertEquals(new Commands.Result(0, "", ""),
                oci("create", "--bundle", bundle.toString(), "--console-socket", socket.toString(), id));
        assertEquals(0, oci("start", id).exitCode());
        waitFor(() -> RECEIVED.matcher(program.errors()).find(), () -> "the program's master: " + program.errors());
        Matcher programs = RECEIVED.matcher(program.errors());
        assertTrue(programs.find());
        Path execSocket = tmp.resolve("exec.sock");
        Receiver exec = receiver(execSocket);

        Commands.Result r = oci("exec", "--tty", "--detach", "--console-socket", execSocket.toString(), id, "sh", "-c",
                "tty; stat -c %d /dev/pts; echo ready; read line; echo got:$line; exit 5");

        assertEquals(new Commands.Result(0, "", ""), r);
        waitFor(() -> exec.output().contains("ready"), () -> "the exec'd process runs: " + exec.output());
        exec.type("typed\n");
        assertTrue(exec.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the process closed its terminal");
        Matcher received = RECEIVED.matcher(exec.errors());
        assertTrue(received.find(), exec::errors);
        assertEquals("1", received.group(1), "the container's devpts's next pty");
        assertEquals(programs.group(2), received.group(2), "the container's devpts, as its program's terminal");
        List<String> lines = List.of(exec.output().split("\r\n"));
        assertEquals("/dev/pts/1", lines.get(0), exec.output());
        assertEquals(received.group(2), lines.get(1), "its /dev/pts is that devpts");
        assertTrue(lines.contains("got:typed"), exec.output());
        assertEquals("running", field(state(id), "status"), "the container's program goes on");
    }

    /** exec --tty --detach with nobody to hold the terminal is refused in one line, as runc does. */
    @Test
    void aDetachedExecWithATerminalButNoConsoleSocketIsRefused() throws Exception {
        config("\"sleep\", \"600\"", true);
        String id = id("exec-refused");
        receiver();
        assertEquals(0, oci("create", "--bundle", bundle.toString(), "--console-socket", socket.toString(), id)
                .exitCode());
        assertEquals(0, oci("start", id).exitCode());

        Commands.Result r = oci("exec", "--tty", "--detach", id, "true");

        assertEquals(125, r.exitCode(), r::toString);
        assertEquals("container-fs: exec --tty --detach needs --console-socket, the socket to send the terminal's"
                + " master to: nobody else would hold it\n", r.stderr());
    }

    // ---- helpers ----

    /** The engine's end of the console socket, listening once this returns. */
    private final class Receiver {
        final Process process;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();

        Receiver(Process process) {
            this.process = process;
            collect(process.getInputStream(), out);
            collect(process.getErrorStream(), err);
        }

        String output() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        String errors() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }

        void type(String text) throws IOException {
            OutputStream in = process.getOutputStream();
            in.write(text.getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        private static void collect(InputStream from, ByteArrayOutputStream to) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[4096];
                try {
                    for (int n; (n = from.read(buf)) > 0;) {
                        synchronized (to) {
                            to.write(buf, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // the receiver is gone; what it wrote is kept
                }
            });
            t.setDaemon(true);
            t.start();
        }
    }

    private Receiver receiver() throws Exception {
        return receiver(socket);
    }

    private Receiver receiver(Path listening) throws Exception {
        Process p = new ProcessBuilder(receiverProgram.toString(), listening.toString()).start();
        receivers.add(p);
        Receiver r = new Receiver(p);
        waitFor(() -> r.errors().startsWith("listening\n"), () -> "the receiver listens: " + r.errors());
        return r;
    }


    /** Our own spec, edited: a terminal or not, of 33 rows and 97 columns, a writable root, these args. */
    private void config(String args, boolean terminal) throws IOException {
        Path config = bundle.resolve("config.json");
        String text = Files.readString(config)
                .replace("\"terminal\": true", "\"terminal\": " + terminal)
                .replace("\"readonly\": true", "\"readonly\": false")
                .replace("\"cwd\": \"/\",", "\"cwd\": \"/\", \"consoleSize\": {\"height\": 33, \"width\": 97},")
                .replaceFirst("\"args\": \\[[^\\]]*\\]", "\"args\": [" + Matcher.quoteReplacement(args) + "]");
        Files.writeString(config, text);
    }




}
