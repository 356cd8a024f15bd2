package io.containerfs.pull;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The pull subcommand, parsed: either a branch to fetch from {@code mirror} or a tarball the user
 * already has ({@code file}, with an optional expected SHA-256), and where to extract it;
 * {@code allowDevices} makes the archive's device nodes and FIFOs instead of refusing them; or
 * an {@code image} (a local source or a registry), whose layers go into {@code layerStore}:
 * {@code platform} chooses from a multi-platform index, {@code insecureRegistries} may be reached
 * over plain HTTP, and {@code authFile} holds registries' credentials.
 */
public record PullRequest(
        String branch,
        String arch,
        URI mirror,
        Path cacheDir,
        Optional<Path> file,
        Optional<String> sha256,
        Path dir,
        boolean quiet,
        Optional<Long> maxBytes,
        Optional<Long> maxEntries,
        boolean allowDevices,
        Optional<ImageSource> image,
        Path layerStore,
        Platform platform,
        List<String> insecureRegistries,
        Path authFile) {}
