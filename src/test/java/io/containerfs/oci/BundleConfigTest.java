package io.containerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.linux.Capabilities;
import io.containerfs.linux.Capability;
import io.containerfs.linux.Device;
import io.containerfs.linux.Execution;
import io.containerfs.linux.Hook;
import io.containerfs.linux.Mount;
import io.containerfs.linux.Native;
import io.containerfs.linux.Network;
import io.containerfs.linux.Rlimit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json into the run form's records (BundleConfig), and a field it does not carry refused by name. */
class BundleConfigTest {
    /** runc spec's three capabilities. */
    private static final long AS_RUNC = Capability.AUDIT_WRITE.bit() | Capability.KILL.bit()
            | Capability.NET_BIND_SERVICE.bit();

    @TempDir
    Path bundle;

    private BundleConfig read(String config) throws Exception {
        Files.writeString(bundle.resolve("config.json"), config);
        return BundleConfig.read(bundle);
    }

    private String refusal(String config) throws IOException {
        Files.writeString(bundle.resolve("config.json"), config);
        return assertThrows(OciException.class, () -> BundleConfig.read(bundle)).getMessage();
    }

    @Test
    void ourOwnSpecIsReadIntoTheRecordsOfTheRunForm() throws Exception {
        BundleConfig c = read(DefaultSpec.config());

        assertEquals(bundle.resolve("rootfs").toString(), c.rootfs());
        assertTrue(c.readOnly());
        assertEquals(List.of("sh"), c.args());
        assertTrue(c.terminal());
        assertEquals(Optional.of("container-fs"), c.isolation().hostname());
        assertEquals(Capability.AUDIT_WRITE.bit() | Capability.KILL.bit() | Capability.NET_BIND_SERVICE.bit(),
                c.isolation().capAdd());
        assertEquals(Capability.ALL, c.isolation().capDrop(), "exactly the listed set is kept");
        assertTrue(c.isolation().noNewPrivileges());
        assertTrue(c.isolation().seccompUnconfined(), "no linux.seccomp: no filter, as the runtime spec says");
        assertEquals(Network.Mode.NONE, c.isolation().network().mode());
        assertEquals(Optional.of(new Execution.User(0, 0, List.of())), c.execution().user());
        assertEquals(Optional.of("/"), c.execution().cwd());
        assertEquals(List.of(Mount.ownCgroup("/sys/fs/cgroup")), c.mounts(),
                "proc, dev, devpts, shm, mqueue and sysfs are the core's own");
        assertEquals(new Capabilities(AS_RUNC, AS_RUNC, AS_RUNC, 0, 0), c.capabilities(),
                "ambient without inheritable: none can be raised, as with runc");
        assertFalse(c.cgroupNamespace());
        assertEquals(List.of(new Rlimit("RLIMIT_NOFILE", 1024, 1024)), c.rlimits());
    }

    @Test
    void bindAndTmpfsMountsLimitsAndTheHostNetworkAreCarried() throws Exception {
        String config = DefaultSpec.config()
                .replace("\"mounts\": [", "\"mounts\": [\n{\"destination\": \"/data\", \"type\": \"bind\","
                        + " \"source\": \"/srv\", \"options\": [\"rbind\", \"ro\"]},\n{\"destination\": \"/scratch\","
                        + " \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\", \"size=1m\"]},")
                .replace("\"resources\": {", "\"resources\": {\"memory\": {\"limit\": 67108864},"
                        + " \"pids\": {\"limit\": 20}, \"cpu\": {\"quota\": 50000, \"period\": 200000},")
                .replace("{\n        \"type\": \"network\"\n      },\n", "");
        BundleConfig c = read(config);

        assertEquals(List.of(new Mount("/srv", "/data", null, true), new Mount(null, "/scratch", "size=1m", false),
                Mount.ownCgroup("/sys/fs/cgroup")), c.mounts(), "in order; the spec's own cgroup mount last");
        assertEquals(64L << 20, c.limits().memory());
        assertEquals(20, c.limits().pidsLimit());
        assertEquals(25_000, c.limits().cpuQuota(), "a quarter of a CPU, per 100 ms");
        assertEquals(Network.Mode.HOST, c.isolation().network().mode());
    }

    /** What podman 4.3 passes for {@code run --network none --security-opt seccomp=unconfined}. */
    @Test
    void podmansFieldsAreCarried() throws Exception {
        String config = DefaultSpec.config()
                .replace("\"uid\": 0,", "\"uid\": 0, \"umask\": 18, \"additionalGids\": [0, 10],")
                .replace("\"mounts\": [", "\"mounts\": [\n{\"destination\": \"/dev/shm\", \"type\": \"bind\","
                        + " \"source\": \"/srv/shm\", \"options\": [\"bind\", \"rprivate\", \"nosuid\", \"noexec\","
                        + " \"nodev\"]},\n{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\":"
                        + " \"cgroup\", \"options\": [\"rprivate\", \"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]},")
                .replace("\"linux\": {", "\"linux\": {\"sysctl\": {\"net.ipv4.ping_group_range\": \"0 0\"},"
                        + " \"cgroupsPath\": \"/libpod_parent/libpod-x\",")
                .replace("\"/proc/scsi\"", "\"/proc/scsi\", \"/sys/fs/selinux\", \"/sys/dev/block\"")
                .replace("\"/proc/bus\",", "\"/proc/asound\", \"/proc/bus\",");
        BundleConfig c = read(config);

        assertEquals(18, c.umask());
        assertEquals(Optional.of(new Execution.User(0, 0, List.of(0, 10))), c.execution().user());
        assertEquals(List.of(new Mount("/srv/shm", "/dev/shm", null, false, true, true),
                Mount.ownCgroup("/sys/fs/cgroup"), Mount.ownCgroup("/sys/fs/cgroup")), c.mounts(),
                "podman's cgroup mount, then our spec's");
        assertEquals(java.util.Map.of("net.ipv4.ping_group_range", "0 0"), c.sysctl());
        assertEquals(Optional.of("/libpod_parent/libpod-x"), c.cgroupsPath());
        assertTrue(c.isolation().seccompUnconfined(), "no linux.seccomp");
        BundleConfig filtered = read(config.replace("\"linux\": {", "\"linux\": {\"seccomp\": {\"defaultAction\":"
                + " \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, \"architectures\": [\"SCMP_ARCH_X86_64\"], \"syscalls\":"
                + " [{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"}]},"));
        assertFalse(filtered.isolation().seccompUnconfined());
        assertEquals(1, filtered.isolation().seccompProfile().get().rules().size());
        assertEquals(Network.Mode.NONE, c.isolation().network().mode());
        BundleConfig joined = read(config.replace("\"type\": \"network\"", "\"type\": \"network\", \"path\": \"/run/netns/n\""));
        assertEquals(Network.Mode.JOIN, joined.isolation().network().mode());
        assertEquals(java.util.Map.of("network", "/run/netns/n"), joined.namespacePaths());
        assertEquals(List.of("/sys/fs/selinux", "/sys/dev/block"), c.maskedPaths(), "beyond the core's own");
        assertEquals(List.of(), c.readonlyPaths(), "/proc/asound: the core masks it, more than read-only");
    }

    /** What docker run (20.10) and ctr run (1.6) pass by default, beside runc's spec: all carried or accepted. */
    @Test
    void dockersAndContainerdsFieldsAndHooksAreCarried() throws Exception {
        String docker = DefaultSpec.config()
                .replace("\"cwd\": \"/\",", "\"cwd\": \"/\", \"oomScoreAdj\": 0,")
                .replace("\"devices\": [", "\"devices\": ["
                        + " {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 5, \"access\": \"rwm\"},"
                        + " {\"allow\": true, \"type\": \"c\", \"major\": 136, \"access\": \"rwm\"},"
                        + " {\"allow\": false, \"type\": \"c\", \"major\": 10, \"minor\": 229, \"access\": \"rwm\"},")
                .replace("\"resources\": {", "\"resources\": {\"memory\": {\"disableOOMKiller\": false}, \"cpu\": {\"shares\": 0},"
                        + " \"blockIO\": {\"weight\": 0},")
                .replace("\"linux\": {", "\"hooks\": {\"prestart\": [{\"path\": \"/proc/1/exe\", \"args\":"
                        + " [\"libnetwork-setkey\", \"-exec-root=/run/docker\", \"abc\"]}], \"poststop\": [{\"path\":"
                        + " \"/bin/true\", \"env\": [\"A=1\"], \"timeout\": 5}], \"createRuntime\": [{\"path\":"
                        + " \"/bin/true\"}]},\n  \"linux\": {");
        BundleConfig c = read(docker);

        assertEquals(Optional.of(0), c.oomScoreAdj());
        assertEquals(List.of(new Hook(Hook.Phase.CREATE_RUNTIME, "/bin/true", List.of("/bin/true"), List.of(), 0),
                new Hook(Hook.Phase.PRESTART, "/proc/1/exe", List.of("libnetwork-setkey", "-exec-root=/run/docker",
                        "abc"), List.of(), 0),
                new Hook(Hook.Phase.POSTSTOP, "/bin/true", List.of("/bin/true"), List.of("A=1"), 5)), c.hooks(),
                "in the order they run, argv[0] the path when args is empty");
        assertEquals(1, c.hooks(java.util.Set.of(Hook.Phase.POSTSTOP)).size());
        BundleConfig containerd = read(DefaultSpec.config().replace("\"resources\": {",
                "\"resources\": {\"cpu\": {\"shares\": 1024},"));
        assertEquals(Optional.empty(), containerd.oomScoreAdj());
        assertEquals(List.of(), containerd.hooks());
    }

    /** features says which hooks this runtime runs: each one config.json may list. */
    @Test
    void theFeaturesDocumentListsEveryHookAConfigMayHave() throws Exception {
        Object features = new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder()
                .build()).loadFromString(DefaultSpec.features());
        List<?> hooks = (List<?>) ((java.util.Map<?, ?>) features).get("hooks");

        assertEquals(List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart",
                "poststop"), hooks);
        for (Object hook : hooks) {
            BundleConfig c = read(DefaultSpec.config().replace("\"linux\": {", "\"hooks\": {\"" + hook
                    + "\": [{\"path\": \"/bin/true\"}]}, \"linux\": {"));
            assertEquals(1, c.hooks().size(), hook::toString);
        }
    }

    /** process.consoleSize sizes the terminal; without one it is ignored, as the runtime spec says it must be. */
    @Test
    void theConsoleSizeIsCarriedWithATerminalOnly() throws Exception {
        String sized = DefaultSpec.config().replace("\"cwd\": \"/\",",
                "\"cwd\": \"/\", \"consoleSize\": {\"height\": 33, \"width\": 97},");

        BundleConfig terminal = read(sized);
        assertEquals(List.of(33, 97), List.of(terminal.consoleHeight(), terminal.consoleWidth()));
        BundleConfig none = read(sized.replace("\"terminal\": true", "\"terminal\": false"));
        assertEquals(List.of(0, 0), List.of(none.consoleHeight(), none.consoleWidth()));
        assertEquals("config.json: process.consoleSize.width 65536 is not 0 to 65535",
                refusal(sized.replace("97", "65536")));
        assertEquals("config.json: unknown field process.consoleSize.depth",
                refusal(sized.replace("\"width\"", "\"depth\"")));
    }

    @Test
    void everyFieldNotCarriedIsRefusedByName() throws Exception {
        String spec = DefaultSpec.config();
        assertEquals("config.json: process.oomScoreAdj 2000 is not between -1000 and 1000", refusal(spec.replace(
                "\"cwd\": \"/\",", "\"cwd\": \"/\", \"oomScoreAdj\": 2000,")));
        assertEquals("config.json: linux.resources.cpu.shares 1 is out of the kernel's range, 2 to 262144",
                refusal(spec.replace("\"resources\": {", "\"resources\": {\"cpu\": {\"shares\": 1},")));
        assertEquals(2, read(spec.replace("\"resources\": {", "\"resources\": {\"cpu\": {\"shares\": 2},")).limits()
                .cpuShares(), "a Kubernetes BestEffort pod's");
        assertEquals(0, read(spec.replace("\"resources\": {", "\"resources\": {\"cpu\": {\"shares\": 1024},")).limits()
                .cpuShares(), "the default, no cgroup for it");
        assertEquals("linux.resources.devices: the rule denying a *:* rwm is not supported: container-fs denies"
                + " only what neither its default nodes nor an earlier rule allow (docs/OCI.md)", refusal(spec.replace(
                        "\"devices\": [", "\"devices\": [{\"allow\": true, \"type\": \"b\", \"major\": 8, \"minor\": 0,"
                                + " \"access\": \"rwm\"},")));
        assertEquals("linux.resources.devices: the rule denying c 1:3 rwm is not supported: container-fs denies"
                + " only what neither its default nodes nor an earlier rule allow (docs/OCI.md)", refusal(spec.replace("\"devices\": [", "\"devices\":"
                        + " [{\"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"rwm\"},")));
        assertEquals("config.json: hooks.prestart[].timeout 0 is not a number of seconds above 0", refusal(spec
                .replace("\"linux\": {", "\"hooks\": {\"prestart\": [{\"path\": \"/bin/true\", \"timeout\": 0}]},"
                        + " \"linux\": {")));
        assertEquals("config.json: hooks.poststop[].path 'true' is not an absolute path", refusal(spec.replace(
                "\"linux\": {", "\"hooks\": {\"poststop\": [{\"path\": \"true\"}]}, \"linux\": {")));
        assertEquals("config.json: unknown field hooks.prestop", refusal(spec.replace("\"linux\": {",
                "\"hooks\": {\"prestop\": []}, \"linux\": {")));
        assertEquals("config.json: linux.seccomp.listenerPath is not supported yet", refusal(spec.replace(
                "\"linux\": {", "\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"listenerPath\": \"/s\"},")));
        assertEquals("config.json: unknown field linux.frobnicate", refusal(spec.replace("\"linux\": {",
                "\"linux\": {\"frobnicate\": 1,")));
        assertEquals("linux.namespaces: a time namespace is not supported yet", refusal(spec.replace(
                "\"namespaces\": [", "\"namespaces\": [{\"type\": \"time\"},")));
        assertEquals("linux.namespaces: joining the mount namespace at /proc/1/ns/mnt is not supported: container-fs"
                + " joins network, ipc, uts, cgroup, pid namespaces by path (docs/OCI.md)",
                refusal(spec.replace("\"type\": \"mount\"", "\"type\": \"mount\", \"path\": \"/proc/1/ns/mnt\"")));
        assertEquals("config.json: hostname with a uts namespace joined by path is not supported: the hostname is"
                + " that namespace's", refusal(spec.replace("\"type\": \"uts\"",
                        "\"type\": \"uts\", \"path\": \"/proc/1/ns/uts\"")));
        assertTrue(refusal(spec.replace("\"mounts\": [", "\"mounts\": [{\"destination\": \"/sys/fs/cgroup\","
                + " \"type\": \"cgroup\", \"source\": \"cgroup\"},")).startsWith(
                        "mounts: a writable cgroup mount on /sys/fs/cgroup is not supported"));
        assertEquals("mounts: option 'shared' of the bind mount on /data is not supported yet", refusal(spec.replace(
                "\"mounts\": [", "\"mounts\": [{\"destination\": \"/data\", \"type\": \"bind\","
                        + " \"source\": \"/srv\", \"options\": [\"rbind\", \"shared\"]},")));
    }

    /**
     * linux.devices, each a node made with its own numbers, mode and owner, and the allow rules of
     * linux.resources.devices after the engines' deny-all; a bad entry refused in one line.
     */
    @Test
    void devicesAndTheirAllowRulesAreRead() throws Exception {
        String spec = DefaultSpec.config();
        String devices = spec.replace("\"resources\": {", "\"devices\": [{\"path\": \"/dev/mynull\", \"type\": \"c\","
                + " \"major\": 1, \"minor\": 3, \"fileMode\": 432, \"uid\": 5, \"gid\": 6}, {\"path\": \"/dev/loop7\","
                + " \"type\": \"b\", \"major\": 7, \"minor\": 7, \"fileMode\": 24960}, {\"path\": \"/dev/fifo\", \"type\": \"p\"}],"
                + " \"resources\": {");
        BundleConfig c = read(devices.replace("\"access\": \"rwm\"\n        }", "\"access\": \"rwm\"\n        },"
                + " {\"allow\": true, \"type\": \"b\", \"major\": 7, \"minor\": 7, \"access\": \"rw\"},"
                + " {\"allow\": false, \"type\": \"c\", \"major\": 10, \"minor\": 229, \"access\": \"rwm\"},"
                + " {\"allow\": true, \"type\": \"a\", \"major\": 10, \"access\": \"m\"}"));
        assertEquals(List.of(Device.node("/dev/mynull", new Device.Node(Native.S_IFCHR | 0660, 1, 3, 5, 6)),
                Device.node("/dev/loop7", new Device.Node(Native.S_IFBLK | 0600, 7, 7, 0, 0)),
                Device.node("/dev/fifo", new Device.Node(Native.S_IFIFO | 0666, 0, 0, 0, 0))), c.devices());
        assertEquals(List.of(new Device.Rule(true, 7, 7, true, true, false),
                new Device.Rule(false, 10, -1, false, false, true), new Device.Rule(true, 10, -1, false, false, true)),
                c.deviceRules());
        assertEquals(List.of(), read(devices).deviceRules(), "no rule: the nodes are made and do not open");
        assertEquals("linux.resources.devices: the rule denying c 10:229 rwm is not supported: container-fs denies"
                + " only what neither its default nodes nor an earlier rule allow (docs/OCI.md)", refusal(devices.replace(
                        "\"access\": \"rwm\"\n        }", "\"access\": \"rwm\"\n        }, {\"allow\": true, \"type\": \"c\","
                                + " \"major\": 10}, {\"allow\": false, \"type\": \"c\", \"major\": 10, \"minor\": 229}")));
        assertEquals("config.json: linux.devices[].path '/etc/passwd' is not a normalized path under /dev:"
                + " container-fs makes device nodes in the container's /dev only",
                refusal(devices.replace("/dev/mynull", "/etc/passwd")));
        assertEquals("config.json: linux.devices[].path '/dev/../etc/x' is not a normalized path under /dev:"
                + " container-fs makes device nodes in the container's /dev only",
                refusal(devices.replace("/dev/mynull", "/dev/../etc/x")));
        assertEquals("config.json: linux.devices[].type 'x' of /dev/mynull is not c, u, b or p",
                refusal(devices.replace("\"type\": \"c\", \"major\": 1", "\"type\": \"x\", \"major\": 1")));
        assertEquals("config.json: linux.devices[].minor is missing", refusal(devices.replace(
                "\"major\": 7, \"minor\": 7,", "\"major\": 7,")));
        assertEquals("config.json: linux.devices[].major 4096 of /dev/loop7 is not 0 to 4095", refusal(devices.replace(
                "\"major\": 7, \"minor\": 7,", "\"major\": 4096, \"minor\": 7,")));
        assertEquals("config.json: linux.devices[].fileMode 8576 of /dev/loop7 is not a file mode of a node of type b",
                refusal(devices.replace("24960", "8576")));
        assertEquals("config.json: linux.devices lists /dev/loop7 twice", refusal(devices.replace("/dev/fifo",
                "/dev/loop7")));
        assertEquals("config.json: unknown field linux.devices[].owner", refusal(devices.replace("\"uid\": 5",
                "\"owner\": 5")));
    }

    /** The five sets as config.json lists them, and what capset(2) and prctl(2) would refuse, refused here. */
    @Test
    void fiveCapabilitySetsAreReadAndWhatTheKernelRefusesIsRefusedInOneLine() throws Exception {
        String spec = DefaultSpec.config();
        String inheritable = spec.replace("\"ambient\": [", "\"inheritable\": [\"CAP_KILL\"],\n\"ambient\": [");
        assertEquals(new Capabilities(AS_RUNC, AS_RUNC, AS_RUNC, Capability.KILL.bit(), Capability.KILL.bit()),
                read(inheritable).capabilities(), "ambient raised where inheritable too");
        BundleConfig lowered = read(spec.replace("\"effective\": [\n        \"CAP_AUDIT_WRITE\",", "\"effective\": ["));
        assertEquals(AS_RUNC & ~Capability.AUDIT_WRITE.bit(), lowered.capabilities().effective());
        assertEquals(AS_RUNC, lowered.capabilities().permitted());

        assertEquals("config.json: process.capabilities.effective has CAP_AUDIT_WRITE, which permitted lacks:"
                + " capset(2) refuses an effective capability that is not permitted", refusal(spec.replace(
                        "\"permitted\": [\n        \"CAP_AUDIT_WRITE\",", "\"permitted\": [")
                        .replace("\"ambient\": [\n        \"CAP_AUDIT_WRITE\",", "\"ambient\": [")));
        assertEquals("config.json: process.capabilities.inheritable has CAP_SYS_ADMIN, which bounding lacks:"
                + " capset(2) refuses an inheritable capability outside the bounding set",
                refusal(spec.replace("\"ambient\": [", "\"inheritable\": [\"CAP_SYS_ADMIN\"],\n\"ambient\": [")));
        assertEquals("config.json: process.capabilities.ambient has CAP_SYS_ADMIN, which permitted lacks: the kernel"
                + " raises an ambient capability only when it is permitted and inheritable (prctl(2),"
                + " PR_CAP_AMBIENT_RAISE)", refusal(spec.replace("\"ambient\": [", "\"ambient\": [\"CAP_SYS_ADMIN\",")));
        assertEquals("process.capabilities.bounding: unknown capability 'CAP_NOPE'; use a name from"
                + " capabilities(7), e.g. SYS_ADMIN or CAP_NET_ADMIN, or ALL",
                refusal(spec.replace("\"bounding\": [", "\"bounding\": [\"CAP_NOPE\",")));
    }

    /** A cgroup namespace, as runc spec lists it on a cgroup v2 host; the cgroup mount only read-only. */
    @Test
    void aCgroupNamespaceIsCarriedAndTheCgroupMountIsTheContainersOwnReadOnly() throws Exception {
        String spec = DefaultSpec.config();
        assertTrue(read(spec.replace("\"namespaces\": [", "\"namespaces\": [{\"type\": \"cgroup\"},"))
                .cgroupNamespace());
        Mount cgroup = read(spec).mounts().get(0);
        assertTrue(cgroup.cgroup() && cgroup.readOnly() && cgroup.source() == null, cgroup::toString);
        assertEquals("mounts: option 'rw' of the cgroup mount is not supported yet",
                refusal(spec.replace("\"relatime\",\n        \"ro\"", "\"relatime\", \"rw\", \"ro\"")));
    }

    /** No pid namespace listed: the host's (docker run --pid host); listed, one of its own. */
    @Test
    void aConfigWithoutAPidNamespaceAsksForTheHosts() throws Exception {
        String spec = DefaultSpec.config();
        assertFalse(read(spec).isolation().hostPidNamespace());
        BundleConfig host = read(spec.replace("{\n        \"type\": \"pid\"\n      },\n", ""));
        assertTrue(host.isolation().hostPidNamespace());
        assertTrue(host.isolation(host.process()).hostPidNamespace(), "exec's process too");
    }

    /** runc spec indents with tabs: white space in JSON, as spaces are. */
    @Test
    void aConfigIndentedWithTabsIsRead() throws Exception {
        BundleConfig c = read(DefaultSpec.config().replace("  ", "\t"));
        assertEquals(List.of("sh"), c.args());
        assertEquals(AS_RUNC, c.capabilities().bounding());
    }

    @Test
    void aConfigThatIsNotJsonOrAbsentIsOneLine() throws IOException {
        String broken = refusal("{\"ociVersion\": ");
        assertTrue(broken.contains("is not valid JSON"), broken);
        assertFalse(broken.contains("\n"), broken);
        Files.delete(bundle.resolve("config.json"));
        OciException none = assertThrows(OciException.class, () -> BundleConfig.read(bundle));
        assertEquals("no config.json in the bundle " + bundle + "; make one with: container-fs spec", none.getMessage());
    }

    /** exec --process: a process.json is read by config.json's own code, its refusals included. */
    @Test
    void aProcessFileIsReadAsConfigJsonsProcessIs() throws Exception {
        Path file = bundle.resolve("process.json");
        Files.writeString(file, """
                {"args": ["ls", "/"], "env": ["A=1"], "cwd": "/tmp", "noNewPrivileges": true,
                 "user": {"uid": 5, "gid": 6, "additionalGids": [7], "umask": 18},
                 "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]},
                 "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200}]}
                """);
        BundleConfig.Process p = BundleConfig.readProcess(file);

        assertEquals(List.of("ls", "/"), p.args());
        assertEquals(List.of("A=1"), p.execution().env());
        assertEquals(Optional.of("/tmp"), p.execution().cwd());
        assertEquals(Optional.of(new Execution.User(5, 6, List.of(7))), p.execution().user());
        assertEquals(Capabilities.kept(Capability.KILL.bit()), p.capabilities());
        assertTrue(p.noNewPrivileges());
        assertEquals(18, p.umask());
        assertEquals(List.of(new Rlimit("RLIMIT_NOFILE", 100, 200)), p.rlimits());

        Files.writeString(file, "{\"args\": [\"ls\"], \"cwd\": \"/\", \"apparmorProfile\": \"x\"}");
        assertEquals(file + ": process.apparmorProfile is not supported yet",
                assertThrows(OciException.class, () -> BundleConfig.readProcess(file)).getMessage());
    }

    /** A user namespace of the container's own (podman --uidmap, --userns=keep-id): its maps as /proc takes them. */
    @Test
    void aUserNamespaceCarriesItsMapsAsProcTakesThem() throws Exception {
        String withUser = DefaultSpec.config().replace("\"linux\": {", "\"linux\": {\"uidMappings\": [{\"containerID\": 0,"
                + " \"hostID\": 1, \"size\": 1001}, {\"containerID\": 1001, \"hostID\": 0, \"size\": 1}],"
                + " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 200000, \"size\": 65536}],")
                .replace("\"namespaces\": [", "\"namespaces\": [{\"type\": \"user\"}, ");

        BundleConfig c = read(withUser);

        assertEquals(Optional.of("0 1 1001\n1001 0 1\n"), c.uidMap());
        assertEquals(Optional.of("0 200000 65536\n"), c.gidMap());
        assertEquals(Optional.empty(), read(DefaultSpec.config()).uidMap(), "no user namespace: none made");
    }

    @Test
    void aUserNamespaceAndItsMapsComeTogether() throws Exception {
        assertEquals("linux.namespaces: a user namespace needs linux.uidMappings",
                refusal(DefaultSpec.config().replace("\"namespaces\": [", "\"namespaces\": [{\"type\": \"user\"}, ")));
        assertEquals("linux.uidMappings needs a user namespace in linux.namespaces",
                refusal(DefaultSpec.config().replace("\"linux\": {", "\"linux\": {\"uidMappings\": [{\"containerID\": 0,"
                        + " \"hostID\": 1, \"size\": 1}],")));
    }
}
