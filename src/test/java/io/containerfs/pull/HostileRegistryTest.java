package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A registry on this machine whose answers are made to break pull: each is refused in one line. */
class HostileRegistryTest {
    private HttpServer server;
    private volatile String location;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v2/", exchange -> {
            exchange.getResponseHeaders().add("Location", location);
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private PullException pullRedirectedTo(String where) throws PullException {
        location = where;
        RegistryReference image = RegistryReference.parse("127.0.0.1:" + server.getAddress().getPort() + "/test:1");
        RegistryClient client = new RegistryClient(image, List.of(), Optional.empty(), "auth.json");
        return assertThrows(PullException.class, () -> client.read(Platform.of(System.getProperty("os.arch"))));
    }

    @Test
    void aRedirectToNoUrlOrToAnotherSchemeIsRefused() throws PullException {
        for (String where : List.of("http://[bad", "https:", "file:///etc/passwd", "jar:file:/x.jar!/")) {
            String message = pullRedirectedTo(where).getMessage();
            assertTrue(message.contains(where), message);
        }
    }
}
