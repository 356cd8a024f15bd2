package io.containerfs.oci;

import io.containerfs.linux.Capability;
import java.util.List;
import java.util.Locale;

/**
 * What {@code spec} and {@code features} print: a default config.json, as {@code runc spec}
 * writes it on a cgroup v1 host (with no cgroup namespace; on a v2 host runc lists one), and
 * the runtime spec's features document, which says what {@link BundleConfig} takes.
 */
final class DefaultSpec {
    static final String OCI_VERSION = "1.0.2";

    private DefaultSpec() {}

    /** {@code s} as a JSON string, quotes included: for config.json here, the state's annotations in OciCommand. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String strings(List<String> items, String indent) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            out.append(i == 0 ? "\n" : ",\n").append(indent).append("  ").append(quote(items.get(i)));
        }
        return out.append("\n").append(indent).append("]").toString();
    }

    private static final List<String> CAPABILITIES = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");

    /** runc's order of the masked and read-only paths, all of them the core's own (rootfs.c). */
    private static final List<String> MASKED = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
            "/proc/scsi");
    private static final List<String> READ_ONLY =
            List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    static String config() {
        String caps = strings(CAPABILITIES, "      ");
        return "{\n"
                + "  \"ociVersion\": \"" + OCI_VERSION + "\",\n"
                + "  \"process\": {\n"
                + "    \"terminal\": true,\n"
                + "    \"user\": {\n      \"uid\": 0,\n      \"gid\": 0\n    },\n"
                + "    \"args\": [\n      \"sh\"\n    ],\n"
                + "    \"env\": [\n"
                + "      \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
                + "      \"TERM=xterm\"\n    ],\n"
                + "    \"cwd\": \"/\",\n"
                + "    \"capabilities\": {\n"
                + "      \"bounding\": " + caps + ",\n"
                + "      \"effective\": " + caps + ",\n"
                + "      \"permitted\": " + caps + ",\n"
                + "      \"ambient\": " + caps + "\n"
                + "    },\n"
                + "    \"rlimits\": [\n      {\n        \"type\": \"RLIMIT_NOFILE\",\n        \"hard\": 1024,\n"
                + "        \"soft\": 1024\n      }\n    ],\n"
                + "    \"noNewPrivileges\": true\n"
                + "  },\n"
                + "  \"root\": {\n    \"path\": \"rootfs\",\n    \"readonly\": true\n  },\n"
                + "  \"hostname\": \"container-fs\",\n"
                + "  \"mounts\": [\n"
                + mount("/proc", "proc", "proc", List.of()) + ",\n"
                + mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")) + ",\n"
                + mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")) + ",\n"
                + mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"))
                + ",\n"
                + mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")) + ",\n"
                + mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")) + ",\n"
                + mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro"))
                + "\n"
                + "  ],\n"
                + "  \"linux\": {\n"
                + "    \"resources\": {\n      \"devices\": [\n"
                + "        {\n          \"allow\": false,\n          \"access\": \"rwm\"\n        }\n      ]\n    },\n"
                + "    \"namespaces\": [\n"
                + "      {\n        \"type\": \"pid\"\n      },\n"
                + "      {\n        \"type\": \"network\"\n      },\n"
                + "      {\n        \"type\": \"ipc\"\n      },\n"
                + "      {\n        \"type\": \"uts\"\n      },\n"
                + "      {\n        \"type\": \"mount\"\n      }\n"
                + "    ],\n"
                + "    \"maskedPaths\": " + strings(MASKED, "    ") + ",\n"
                + "    \"readonlyPaths\": " + strings(READ_ONLY, "    ") + "\n"
                + "  }\n"
                + "}\n";
    }

    private static String mount(String destination, String type, String source, List<String> options) {
        return "    {\n      \"destination\": " + quote(destination) + ",\n      \"type\": " + quote(type)
                + ",\n      \"source\": " + quote(source)
                + (options.isEmpty() ? "" : ",\n      \"options\": " + strings(options, "      ")) + "\n    }";
    }

    /** The runtime spec's features document (features.md): what this runtime takes. */
    static String features() {
        List<String> caps = new java.util.ArrayList<>();
        for (Capability c : Capability.values()) {
            caps.add("CAP_" + c.name().toUpperCase(Locale.ROOT));
        }
        return "{\n"
                + "  \"ociVersionMin\": \"1.0.0\",\n"
                + "  \"ociVersionMax\": \"" + OCI_VERSION + "\",\n"
                + "  \"hooks\": " + strings(List.of("prestart", "createRuntime", "createContainer", "startContainer",
                        "poststart", "poststop"), "  ") + ",\n"
                + "  \"mountOptions\": " + strings(List.of("bind", "rbind", "ro", "rw", "nodev", "nosuid", "noexec"),
                        "  ") + ",\n"
                + "  \"linux\": {\n"
                + "    \"namespaces\": " + strings(List.of("pid", "network", "ipc", "uts", "mount", "cgroup"), "    ") + ",\n"
                + "    \"capabilities\": " + strings(caps, "    ") + ",\n"
                + "    \"cgroup\": {\n      \"v1\": true,\n      \"v2\": true,\n      \"systemd\": false,\n"
                + "      \"systemdUser\": false\n    },\n"
                + "    \"seccomp\": {\n      \"enabled\": true\n    },\n"
                + "    \"apparmor\": {\n      \"enabled\": false\n    },\n"
                + "    \"selinux\": {\n      \"enabled\": false\n    }\n"
                + "  }\n"
                + "}\n";
    }
}
