package io.containerfs.linux;

/**
 * The five capability sets of an OCI config's {@code process.capabilities}, each a set of
 * {@link Capability} bits. The core drops from the bounding set what is not in {@code bounding},
 * capset(2)s {@code effective}, {@code permitted} and {@code inheritable}, and raises each of
 * {@code ambient} after the user switch (src/main/c/core/security.c). The run form's
 * {@code --cap-add} and {@code --cap-drop} give the core one set, kept as bounding, effective and
 * permitted, with inheritable and ambient empty.
 */
public record Capabilities(long bounding, long effective, long permitted, long inheritable, long ambient) {
    /** One set as bounding, effective and permitted; inheritable and ambient empty. */
    public static Capabilities kept(long set) {
        return new Capabilities(set, set, set, 0, 0);
    }

    /** These sets with {@code set} added to bounding, effective and permitted, as {@code exec --cap} adds. */
    public Capabilities plus(long set) {
        return new Capabilities(bounding | set, effective | set, permitted | set, inheritable, ambient);
    }
}
