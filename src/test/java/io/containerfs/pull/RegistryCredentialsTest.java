package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.pull.RegistryCredentials.Credential;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A credential helper's answer, as pull takes it: in time, or one line that says what to do. */
class RegistryCredentialsTest {
    private static Process helper(String script) throws Exception {
        return new ProcessBuilder("sh", "-c", script).start();
    }

    @Test
    void aHelperThatAnswersGivesItsUserAndSecret() throws Exception {
        Process process = helper("read server; echo '{\"ServerURL\":\"'$server'\",\"Username\":\"u\",\"Secret\":\"p\"}'");
        Optional<Credential> basic = RegistryCredentials.ask(process, "docker-credential-test", "r.example", "r.example", 10);
        assertEquals(Optional.of(Credential.ofBasic(Base64.getEncoder().encodeToString("u:p".getBytes(StandardCharsets.UTF_8)))),
                basic);
    }

    /** docker's helpers keep an identity token as the secret of the user "<token>". */
    @Test
    void aHelpersTokenUserGivesAnIdentityToken() throws Exception {
        Process process = helper("read server; echo '{\"ServerURL\":\"'$server'\",\"Username\":\"<token>\",\"Secret\":\"refresh-1\"}'");
        assertEquals(Optional.of(Credential.ofIdentityToken("refresh-1")),
                RegistryCredentials.ask(process, "docker-credential-test", "r.example", "r.example", 10));
    }

    /** A keyring waiting to be unlocked never answers: the pull says so when the time is up, and kills it. */
    @Test
    void aHelperThatNeverAnswersIsGivenUpInTime() throws Exception {
        Process process = helper("sleep 60");
        PullException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(PullException.class,
                () -> RegistryCredentials.ask(process, "docker-credential-test", "r.example", "r.example", 1)));
        assertTrue(e.getMessage().startsWith("docker-credential-test gave no credentials for r.example within 1 s; "),
                e::getMessage);
        assertTrue(process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the helper is killed");
    }

    @Test
    void aHelperThatHoldsNothingForTheServerGivesNothing() throws Exception {
        Process process = helper("cat >/dev/null; echo 'credentials not found in native keychain'; exit 1");
        assertEquals(Optional.empty(),
                RegistryCredentials.ask(process, "docker-credential-test", "r.example", "r.example", 10));
    }
}
