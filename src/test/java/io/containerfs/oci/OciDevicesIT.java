package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * linux.devices on a bundle made by {@code runc spec}: each node made in the container's /dev with
 * its type, numbers, mode and owner, and opened only where linux.resources.devices allows it, as
 * in runc. /dev/mynull is the null device (c 1 3, which the core's defaults allow); /dev/myctl is
 * loop-control (c 10 237), which they do not: opening it does nothing to the host.
 */
class OciDevicesIT extends OciBundleTest {
    private static final String NODES = "\"devices\": [{\"path\": \"/dev/mynull\", \"type\": \"c\", \"major\": 1,"
            + " \"minor\": 3, \"fileMode\": 400, \"uid\": 1000, \"gid\": 0}, {\"path\": \"/dev/myctl\", \"type\": \"c\","
            + " \"major\": 10, \"minor\": 237, \"fileMode\": 438}],";
    private static final String ALLOW_CTL = ", {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 237,"
            + " \"access\": \"rw\"}";
    private static final String PROGRAM = "\"sh\", \"-c\", \"stat -c '%A %u %g %t %T' /dev/mynull /dev/myctl;"
            + " echo hi > /dev/mynull && echo wrote; : <> /dev/myctl && echo opened\"";

    OciDevicesIT() {
        super("it-dev-");
    }

    @Test
    void aNodeIsMadeWithItsModeAndOwnerAndOpensWhenARuleAllowsIt() throws IOException {
        runcSpec(PROGRAM, NODES, ALLOW_CTL);

        Commands.Result run = oci("run", "--bundle", bundle.toString(), id("allowed"));

        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("crw--w---- 1000 0 1 3\ncrw-rw-rw- 0 0 a ed\nwrote\nopened\n", run.stdout(), run::toString);
    }

    @Test
    void withoutAnAllowRuleTheNodeIsMadeButOpeningItIsRefused() throws IOException {
        runcSpec(PROGRAM, NODES, "");

        Commands.Result run = oci("run", "--bundle", bundle.toString(), id("denied"));

        assertEquals(1, run.exitCode(), run::toString);
        assertTrue(run.stdout().endsWith("wrote\n"), run::toString);
        assertTrue(run.stderr().contains("can't create /dev/myctl: Operation not permitted"), run::toString);
    }

    @Test
    void aNodeOutsideDevIsRefusedInOneLineLeavingNothing() throws IOException {
        runcSpec("\"true\"", NODES.replace("/dev/mynull", "/etc/mynull"), ALLOW_CTL);
        String id = id("outside");

        Commands.Result run = oci("run", "--bundle", bundle.toString(), id);

        assertEquals(new Commands.Result(125, "", "container-fs: config.json: linux.devices[].path '/etc/mynull' is"
                + " not a normalized path under /dev: container-fs makes device nodes in the container's /dev only\n"),
                run);
        assertFalse(Files.exists(root.resolve(id)), "no state left");
    }

    /** runc's own spec, its terminal off, these args, and these linux.devices and allow rules added. */
    private void runcSpec(String args, String devices, String allow) throws IOException {
        Path config = bundle.resolve("config.json");
        Files.delete(config);
        Commands.Result spec = Commands.run("runc", "spec", "--bundle", bundle.toString());
        assertEquals(0, spec.exitCode(), spec::toString);
        Files.writeString(config, Files.readString(config).replace("\"terminal\": true", "\"terminal\": false")
                .replaceFirst("\"args\": \\[[^\\]]*\\]", "\"args\": [" + Matcher.quoteReplacement(args) + "]")
                .replaceFirst("\"linux\": \\{", "\"linux\": {" + Matcher.quoteReplacement(devices))
                .replaceFirst("\"access\": \"rwm\"\\s*}", "\"access\": \"rwm\"}" + Matcher.quoteReplacement(allow)));
    }
}
