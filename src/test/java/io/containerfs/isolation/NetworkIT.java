package io.containerfs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.LiveProcess;
import io.containerfs.testing.MirrorServer;
import io.containerfs.testing.PrivilegedCondition;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The default network is the container's own (issue 23, #5): its own interfaces, lo and
 * slirp4netns's tap0; the host's network reached from outside, as a program of the host would
 * (a server on the host's address, an Alpine mirror for apk), but not the host's loopback, whose
 * traffic an AF_PACKET socket inside cannot see either; -p publishes a port; slirp4netns ends with
 * the container, even after kill -9 of container-fs. Each is checked against --network host where
 * that is what makes the test able to fail.
 */
@Privileged
class NetworkIT {
    private static final Duration STARTED = Duration.ofSeconds(30);

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.onAlpine();

    private Commands.Result run(FrontEnd frontEnd, List<String> options, List<Path> lowers, String script) {
        List<Path> layers = new ArrayList<>(lowers);
        layers.add(run.writedir());
        List<String> command = frontEnd.run(options, layers, "sh", "-c", script);
        return Commands.run(null, null, command, Map.of("TMPDIR", run.tmpdir().toString()));
    }

    private Commands.Result run(List<String> options, String script) {
        return run(FrontEnd.JAR, options, List.of(run.rootfs()), script);
    }

    private LiveProcess start(FrontEnd frontEnd, List<String> options, String script) {
        return new LiveProcess(frontEnd.run(options, List.of(run.rootfs(), run.writedir()), "sh", "-c", script),
                Map.of("TMPDIR", run.tmpdir().toString()));
    }

    /** The interfaces /proc/net/dev lists, by name. */
    private static List<String> interfaces(String procNetDev) {
        return procNetDev.lines().skip(2).map(l -> l.substring(0, l.indexOf(':')).strip()).sorted().toList();
    }

    /** An IPv4 address of this host other than the loopback, where a server a container may reach listens. */
    private static InetAddress hostAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return a;
                    }
                }
            }
        }
        throw new AssertionError("this host has no IPv4 address but the loopback's");
    }

    /** A server on address that answers every GET with body. */
    private static HttpServer serve(InetAddress address, String body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(address, 0), 0);
        server.createContext("/", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void byDefaultTheContainerHasANetworkOfItsOwn(FrontEnd frontEnd) throws IOException {
        Commands.Result r = run(frontEnd, List.of(), List.of(run.rootfs()),
                "cat /proc/net/dev; echo ---; readlink /proc/self/ns/net; cat /etc/resolv.conf; ip -4 -o addr show tap0");
        assertEquals(0, r.exitCode(), r::toString);
        String[] parts = r.stdout().split("---\n");
        assertEquals(List.of("lo", "tap0"), interfaces(parts[0]), r::toString);
        List<String> rest = parts[1].lines().toList();
        assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(), rest.get(0));
        assertEquals("nameserver 10.0.2.3", rest.get(1), "slirp4netns's DNS forwarder");
        assertTrue(rest.get(2).contains(" inet 10.0.2.100/24 "), r::toString);
        try (Stream<Path> entries = Files.list(run.writedir())) {
            assertEquals(List.of(), entries.toList(), "the mount point of resolv.conf (Alpine has none) is gone");
        }
    }

    @Test
    void itReachesAServerOnTheHostsAddressAsAnyProgramOfTheHostWould() throws IOException {
        InetAddress address = hostAddress();
        HttpServer server = serve(address, "hello from the host\n");
        try {
            Commands.Result r = run(List.of(), "wget -q -T 10 -O - http://" + address.getHostAddress() + ":"
                    + server.getAddress().getPort() + "/");
            assertEquals(0, r.exitCode(), r::toString);
            assertEquals("hello from the host\n", r.stdout());
        } finally {
            server.stop(0);
        }
    }

    /** The course's example: apk fetches an index from a mirror, here one the test serves on the host's address. */
    @Test
    void apkCanStillFetch() throws IOException {
        Path repo = Files.createDirectories(run.dir().resolve("mirror/repo/x86_64"));
        Files.writeString(repo.resolve("APKINDEX"), "P:hello\nV:1.0-r0\nA:x86_64\nS:1\nI:1\nT:a test package\n"
                + "U:https://example.org\nL:MIT\n\n");
        Commands.Result tar = Commands.run(repo, null, List.of("tar", "czf", "APKINDEX.tar.gz", "APKINDEX"));
        assertEquals(0, tar.exitCode(), tar::toString);
        try (MirrorServer mirror = MirrorServer.serve(run.dir().resolve("mirror"), hostAddress())) {
            Commands.Result r = run(List.of(), "apk update --allow-untrusted --repositories-file /dev/null -X "
                    + mirror.url() + "/repo");
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(r.stdout().contains("OK: "), r::toString);
            assertEquals(1, mirror.requests("repo/x86_64/APKINDEX.tar.gz"), r::toString);
        }
    }

    /**
     * A service of the host that listens on 127.0.0.1 only is out of reach: the container's own
     * 127.0.0.1 is its own lo, and slirp4netns's 10.0.2.2 does not lead to the host's loopback
     * (--disable-host-loopback). On the host's network it is reached.
     */
    @Test
    void theHostsLoopbackIsOutOfReach() throws IOException {
        HttpServer server = serve(InetAddress.getLoopbackAddress(), "secret\n");
        try {
            int port = server.getAddress().getPort();
            String get = "wget -q -T 5 -O - http://%s:" + port + "/ && echo reached; ";
            Commands.Result r = run(List.of(), String.format(get, "127.0.0.1") + String.format(get, "10.0.2.2"));
            assertFalse(r.stdout().contains("secret"), r::toString);
            assertFalse(r.stdout().contains("reached"), r::toString);
            Commands.Result host = run(List.of("--network", "host"), String.format(get, "127.0.0.1"));
            assertEquals("secret\nreached\n", host.stdout(), host::toString);
        } finally {
            server.stop(0);
        }
    }

    /** `sniff` (src/test/c/sniff.c) in a layer of its own, built for the test. */
    private Path sniffLayer() {
        Path layer = run.dir().resolve("sniff-layer");
        Path program = layer.resolve("usr/bin/sniff");
        PrivilegedCondition.requireInCi(Fixtures.onPath("musl-gcc"), "musl-gcc (Debian package musl-tools)");
        try {
            Files.createDirectories(program.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Commands.Result r = Commands.run("musl-gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o",
                program.toString(), Fixtures.basedir().resolve("src/test/c/sniff.c").toString());
        assertEquals(0, r.exitCode(), r::toString);
        return layer;
    }

    /** What `sniff` prints in a container with these options while the host sends marker to its own 127.0.0.1. */
    private String sniffWhileTheHostTalksToItself(List<String> options, Path sniff, String marker) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        Thread sender = new Thread(() -> {
            byte[] bytes = ("password=" + marker).getBytes(StandardCharsets.US_ASCII);
            try (DatagramSocket socket = new DatagramSocket()) {
                while (!done.get()) {
                    socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), 9));
                    Thread.sleep(20);
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, "loopback-talker");
        sender.start();
        try {
            Commands.Result r = run(FrontEnd.JAR, options, List.of(run.rootfs(), sniff), "sniff 2 " + marker);
            assertTrue(r.stdout().startsWith("listening\n"), r::toString);
            return r.stdout().substring("listening\n".length());
        } finally {
            done.set(true);
            sender.join();
        }
    }

    /**
     * The defect: on the host's network with NET_RAW, a container read a password a host process sent
     * to 127.0.0.1. On its own network, NET_RAW (Docker's default set) sees that network only.
     */
    @Test
    void aPacketSocketSeesNothingOfTheHostsLoopback() throws Exception {
        Path sniff = sniffLayer();
        String marker = "cfs-" + UUID.randomUUID();
        assertEquals("not seen\n", sniffWhileTheHostTalksToItself(List.of(), sniff, marker));
        assertEquals("seen\n", sniffWhileTheHostTalksToItself(List.of("--network", "host", "--cap-add", "NET_RAW"),
                sniff, marker), "the host's network with NET_RAW: the sniffer works");
    }

    @Test
    void aPublishedPortReachesTheContainer() throws Exception {
        int port = freePort();
        try (LiveProcess container = start(FrontEnd.JAR, List.of("-p", "127.0.0.1:" + port + ":8080"),
                "echo started; echo hello from the container | nc -l -p 8080")) {
            container.awaitOutput("started", 1, STARTED);
            assertEquals(List.of(), apiSockets(), "the API socket is gone once the port is published");
            assertEquals("hello from the container\n", readFromPort(port, Duration.ofSeconds(20)));
            assertEquals(0, container.waitFor(STARTED), container::output);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** What the container sends on 127.0.0.1:port, once nc listens there (a connection before is reset). */
    private static String readFromPort(int port, Duration timeout) throws Exception {
        Instant end = Instant.now().plus(timeout);
        while (true) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(5000);
                InputStream in = s.getInputStream();
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (!text.isEmpty()) {
                    return text;
                }
            } catch (IOException notYet) {
                // slirp4netns accepted, then found nothing listening in the container yet
            }
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("nothing came through port " + port + " in " + timeout);
            }
            Thread.sleep(100);
        }
    }

    private static List<String> apiSockets() throws IOException {
        Path dir = Path.of("/run/container-fs");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("slirp4netns-")).toList();
        }
    }

    /** The slirp4netns processes container-fs (the process pid) started, waiting up to STARTED for one. */
    private static List<Long> stacksOf(long pid) throws InterruptedException {
        Instant end = Instant.now().plus(STARTED);
        while (true) {
            List<Long> stacks = ProcessHandle.of(pid).stream().flatMap(ProcessHandle::children)
                    .filter(p -> "slirp4netns".equals(comm(p.pid()))).map(ProcessHandle::pid).toList();
            if (!stacks.isEmpty() || Instant.now().isAfter(end)) {
                return stacks;
            }
            Thread.sleep(50);
        }
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException gone) {
            return "";
        }
    }

    /** Gone, or a zombie nobody reaps (its parent killed, PID 1 here not reaping): it runs no more. */
    private static boolean runs(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException gone) {
            return false;
        }
    }

    private static void awaitStopped(long pid, Duration timeout) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (runs(pid)) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("slirp4netns " + pid + " outlived the container by " + timeout);
            }
            Thread.sleep(50);
        }
    }

    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void theNetworkStackEndsWithTheContainer(FrontEnd frontEnd) throws Exception {
        try (LiveProcess container = start(frontEnd, List.of(), "echo started; read x")) {
            container.awaitOutput("started", 1, STARTED);
            List<Long> stacks = stacksOf(container.pid());
            assertEquals(1, stacks.size(), "one slirp4netns, container-fs's child: " + stacks);
            container.type("\n");
            assertEquals(0, container.waitFor(STARTED), container::output);
            assertFalse(runs(stacks.get(0)), "slirp4netns was stopped and reaped");
        }
    }

    /** Through --exit-fd: its other end was ours alone. With -p (the jar's), no API socket is left either. */
    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void theNetworkStackEndsWhenContainerFsIsKilled(FrontEnd frontEnd) throws Exception {
        List<String> options = frontEnd == FrontEnd.JAR ? List.of("-p", "127.0.0.1:" + freePort() + ":80") : List.of();
        try (LiveProcess container = start(frontEnd, options, "echo started; sleep 300")) {
            container.awaitOutput("started", 1, STARTED);
            List<Long> stacks = stacksOf(container.pid());
            assertEquals(1, stacks.size(), "one slirp4netns, container-fs's child: " + stacks);
            container.signal("KILL");
            container.waitFor(STARTED);
            awaitStopped(stacks.get(0), Duration.ofSeconds(10));
            assertEquals(List.of(), apiSockets(), "no API socket left");
        }
        // kill -9 leaves the work directory beside WRITEDIR, which the next run sweeps (NothingLostIT).
        Commands.Result next = run(frontEnd, List.of(), List.of(run.rootfs()), "true");
        assertEquals(0, next.exitCode(), next::toString);
    }

    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void noneHasOnlyLoopbackAndHostIsTheHosts(FrontEnd frontEnd) throws IOException {
        List<Path> lowers = List.of(run.rootfs());
        Commands.Result none = run(frontEnd, List.of("--network", "none"), lowers, "cat /proc/net/dev");
        assertEquals(List.of("lo"), interfaces(none.stdout()), none::toString);
        Commands.Result host = run(frontEnd, List.of("--network", "host"), lowers,
                "cat /proc/net/dev; readlink /proc/self/ns/net");
        assertEquals(0, host.exitCode(), host::toString);
        String[] parts = host.stdout().split("\n(?=net:)");
        assertEquals(interfaces(Files.readString(Path.of("/proc/net/dev"))), interfaces(parts[0]), host::toString);
        assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(), parts[1].strip());
    }

    private void assertRefused(Commands.Result r, String start) throws IOException {
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().startsWith("container-fs: " + start), r::toString);
        assertEquals(1, r.stderr().lines().count(), r::toString);
        try (Stream<Path> entries = Files.list(run.writedir())) {
            assertEquals(List.of(), entries.toList(), "nothing made in WRITEDIR");
        }
    }

    @Test
    void badPublishedPortsAreRefusedBeforeAnythingIsMade() throws IOException {
        assertRefused(run(List.of("-p", "70000:80"), "true"), "invalid -p '70000:80': port 70000 is not between");
        assertRefused(run(List.of("-p", "80"), "true"), "invalid -p '80': use [HOSTIP:]HOSTPORT:PORT");
        assertRefused(run(List.of("--network", "none", "-p", "8080:80"), "true"),
                "-p 8080:80: --network none has no ports to publish");
        assertRefused(run(List.of("--network", "host", "-p", "8080:80"), "true"),
                "-p 8080:80: --network host has no ports to publish");
    }

    /** The host's port is taken: the core's own refusal, after the clone, and still nothing is left running. */
    @Test
    void aHostPortInUseFailsInOneLineAndLeavesNoStack() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Long> before = runningStacks();
            Commands.Result r = run(List.of("-p", "127.0.0.1:" + taken.getLocalPort() + ":80"), "echo ran");
            assertEquals(125, r.exitCode(), r::toString);
            assertEquals("container-fs: -p 127.0.0.1:" + taken.getLocalPort() + ":80/tcp: slirp4netns could not listen"
                    + " on the host's port: is another program using it, or is the address not one of this host's?\n",
                    r.stderr());
            assertEquals("", r.stdout(), "the command never ran");
            assertEquals(before, runningStacks(), "no slirp4netns left");
            assertEquals(List.of(), apiSockets(), "no API socket left");
        }
    }

    private static List<Long> runningStacks() {
        return ProcessHandle.allProcesses().filter(p -> "slirp4netns".equals(comm(p.pid())) && runs(p.pid()))
                .map(ProcessHandle::pid).sorted().toList();
    }

    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void withoutSlirp4netnsTheRunSaysWhatToInstall(FrontEnd frontEnd) throws IOException {
        List<String> command = frontEnd.run(List.of(), List.of(run.rootfs(), run.writedir()), "echo", "ran");
        Commands.Result r = Commands.run(null, null, command,
                Map.of("TMPDIR", run.tmpdir().toString(), "PATH", run.dir().resolve("empty-path").toString()));
        assertEquals("container-fs: slirp4netns not found in PATH: the default --network private needs it; install"
                + " the slirp4netns package (apt-get install slirp4netns), or run with --network none (no network) or"
                + " --network host (the host's)\n", r.stderr());
        assertRefused(r, "slirp4netns not found");
        assertEquals("", r.stdout());
    }
}
