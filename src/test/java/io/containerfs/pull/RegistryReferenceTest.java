package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.pull.RegistryCredentials.Credential;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code docker://} names are read (Docker Hub's defaults as docker and podman apply them),
 * which registries may be plain HTTP, and which credentials of an auth file a registry gets.
 * RegistryPullIT pulls from a real registry.
 */
class RegistryReferenceTest {
    @TempDir
    Path tmp;

    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    void dockerHubsDefaultsApply() throws PullException {
        assertEquals(new RegistryReference("docker.io", "library/alpine", "latest"), RegistryReference.parse("alpine"));
        assertEquals(new RegistryReference("docker.io", "library/python", "3.12"),
                RegistryReference.parse("docker.io/library/python:3.12"));
        assertEquals(new RegistryReference("docker.io", "grafana/grafana", "latest"),
                RegistryReference.parse("grafana/grafana"));
        assertEquals("registry-1.docker.io", RegistryReference.parse("alpine").apiHost());
    }

    @Test
    void theFirstPartIsARegistryWhenItHasADotAColonOrIsLocalhost() throws PullException {
        assertEquals(new RegistryReference("127.0.0.1:5000", "test", "oci"), RegistryReference.parse("127.0.0.1:5000/test:oci"));
        assertEquals(new RegistryReference("localhost", "a/b", "latest"), RegistryReference.parse("localhost/a/b"));
        assertEquals(new RegistryReference("quay.io", "podman/stable", DIGEST),
                RegistryReference.parse("quay.io/podman/stable@" + DIGEST));
        assertEquals(new RegistryReference("[::1]:5000", "x", "latest"), RegistryReference.parse("[::1]:5000/x"));
        assertEquals("quay.io/podman/stable@" + DIGEST, RegistryReference.parse("quay.io/podman/stable@" + DIGEST).toString());
    }

    @Test
    void badNamesAreOneLine() {
        for (String bad : List.of("Alpine", "alpine:", "alpine@sha256:12", "a//b", "quay.io/", "alpine:-x")) {
            PullException e = assertThrows(PullException.class, () -> RegistryReference.parse(bad), bad);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void plainHttpOnlyToThisMachineOrAnInsecureRegistry() {
        assertTrue(RegistryClient.plainHttpAllowed("localhost:5000", List.of()));
        assertTrue(RegistryClient.plainHttpAllowed("127.0.0.1:5000", List.of()));
        assertTrue(RegistryClient.plainHttpAllowed("[::1]:5000", List.of()));
        assertFalse(RegistryClient.plainHttpAllowed("registry.example:5000", List.of()));
        assertFalse(RegistryClient.plainHttpAllowed("127.0.0.2:5000", List.of()));
        assertTrue(RegistryClient.plainHttpAllowed("registry.example:5000", List.of("registry.example:5000")));
        assertTrue(RegistryClient.plainHttpAllowed("registry.example:5000", List.of("registry.example")));
        assertFalse(RegistryClient.plainHttpAllowed("registry.example:5000", List.of("registry.example:6000")));
    }

    @Test
    void theAuthFileGivesEachRegistryItsOwnUser() throws IOException, PullException {
        String alice = Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
        Path file = Files.writeString(tmp.resolve("auth.json"), "{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"" + alice
                + "\"},\"https://index.docker.io/v1/\":{\"username\":\"bob\",\"password\":\"pw\"}}}");
        assertEquals(Optional.of(Credential.ofBasic(alice)), RegistryCredentials.find(file, "127.0.0.1:5000"));
        assertEquals(Optional.of(Credential.ofBasic(Base64.getEncoder().encodeToString("bob:pw".getBytes(StandardCharsets.UTF_8)))),
                RegistryCredentials.find(file, "docker.io"));
        assertEquals(Optional.empty(), RegistryCredentials.find(file, "quay.io"));
        assertEquals(Optional.empty(), RegistryCredentials.find(tmp.resolve("absent.json"), "quay.io"));
        Files.writeString(file, "{\"auths\":{\"quay.io\":{\"auth\":\"bm9jb2xvbg==\"}}}"); // "nocolon"
        PullException e = assertThrows(PullException.class, () -> RegistryCredentials.find(file, "quay.io"));
        assertTrue(e.getMessage().contains("is not base64 of USER:PASSWORD"), e.getMessage());
        assertEquals(tmp.resolve("podman.json"),
                RegistryCredentials.file(Map.of("REGISTRY_AUTH_FILE", tmp.resolve("podman.json").toString()), "/root"));
        assertEquals(Path.of("/root/.docker/config.json"), RegistryCredentials.file(Map.of(), "/root"));
    }

    /** What docker login keeps for a registry that handed it a refresh token: the user in "auth", the token beside it. */
    @Test
    void anIdentityTokenInTheAuthFileIsTakenInsteadOfItsUser() throws IOException, PullException {
        String userAlone = Base64.getEncoder().encodeToString("alice:".getBytes(StandardCharsets.UTF_8));
        Path file = Files.writeString(tmp.resolve("auth.json"), "{\"auths\":{\"r.example\":{\"auth\":\"" + userAlone
                + "\",\"identitytoken\":\"refresh-1\"},\"q.example\":{\"auth\":\"" + userAlone
                + "\",\"identitytoken\":\"\"}}}");
        Optional<Credential> found = RegistryCredentials.find(file, "r.example");
        assertEquals(Optional.of(Credential.ofIdentityToken("refresh-1")), found);
        assertTrue(found.get().isIdentityToken());
        assertEquals(Optional.of(Credential.ofBasic(userAlone)), RegistryCredentials.find(file, "q.example"),
                "an empty identitytoken is none");
    }
}
