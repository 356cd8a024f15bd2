package io.containerfs.pull;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code docker-registry} Debian package (distribution 2.8) listening on 127.0.0.1, its
 * storage and log under {@code work}; stopped by its pid. RegistryPullIT and RegistryResumeIT
 * push their images to it.
 */
final class LocalRegistry implements AutoCloseable {
    private final Process process;
    private final String host;

    private LocalRegistry(Process process, String host) {
        this.process = process;
        this.host = host;
    }

    /** Starts it and waits until {@code /v2/} answers. */
    static LocalRegistry start(Path work) throws IOException, InterruptedException {
        String host = "127.0.0.1:" + freePort();
        Path config = work.resolve("registry.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: %s
                """.formatted(work.resolve("registry-storage"), host));
        Process process = new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("registry.log").toFile())
                .start();
        LocalRegistry registry = new LocalRegistry(process, host);
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 100; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return registry;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        registry.close();
        throw new IllegalStateException("docker-registry did not answer on " + host + ": "
                + Files.readString(work.resolve("registry.log")));
    }

    /** {@code 127.0.0.1:PORT} */
    String host() {
        return host;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM to its pid
        process.waitFor();
    }
}
