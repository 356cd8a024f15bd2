package io.containerfs.pull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Pulls an image from an OCI layout, a docker archive or a registry: reads and checks its manifest and
 * config, unpacks each layer into the {@link LayerStore} (or finds it there already), and only
 * then fills DIR with what {@link ImageDirectory} reads: {@code config.json}, the image's config
 * as it was, and {@code layers}, the layers' directories, one a line, bottom first. A blob that
 * is not what its digest says stops the pull before anything is in DIR.
 */
final class ImagePull {
    /** Layers downloaded and unpacked at once, as docker pull does. */
    static final int PARALLEL_LAYERS = 3;

    private final LayerStore store;
    private final Progress progress;
    private final Platform platform;
    private final RegistryAccess registries;

    /** How registries are reached: which may be plain HTTP, and where the credentials are. */
    record RegistryAccess(List<String> insecure, Path authFile) {}

    ImagePull(LayerStore store, Progress progress, Platform platform, RegistryAccess registries) {
        this.store = store;
        this.progress = progress;
        this.platform = platform;
        this.registries = registries;
    }

    /** @return how many layers were unpacked now (the others were in the store already) */
    int pull(ImageSource source, TargetDirectory target) throws PullException {
        switch (source.transport()) {
            case OCI:
                return install(new OciLayout(source.path(), platform).read(source.tag()), target);
            case DOCKER_ARCHIVE:
                try (DockerArchive archive = new DockerArchive(source.path())) {
                    return install(archive.read(), target);
                }
            default:
                RegistryReference remote = source.remote();
                try (RegistryClient registry = new RegistryClient(remote, registries.insecure(),
                        RegistryCredentials.find(registries.authFile(), remote.registry()),
                        registries.authFile().toString())) {
                    return install(registry.read(platform), target);
                }
        }
    }

    private int install(Image image, TargetDirectory target) throws PullException {
        Set<String> toUnpack = new HashSet<>();
        for (Image.Layer layer : image.layers()) {
            if (!Files.isDirectory(store.directory(layer.diffId()))) {
                toUnpack.add(layer.diffId());
            }
        }
        int unpacked = toUnpack.size();
        List<String> directories = unpackAll(image.layers());
        Path sibling = target.createSibling();
        Interruption.Guard guard = Interruption.guard(sibling);
        boolean installed = false;
        try {
            Files.write(sibling.resolve(ImageDirectory.CONFIG), image.config());
            Files.writeString(sibling.resolve(ImageDirectory.LAYERS),
                    directories.isEmpty() ? "" : String.join("\n", directories) + "\n", StandardCharsets.UTF_8);
            // The sibling is made private (0700); DIR is for anyone to read (its layers are root's alone, LayerStore).
            Files.setPosixFilePermissions(sibling, PosixFilePermissions.fromString("rwxr-xr-x"));
            target.install(sibling);
            installed = true;
        } catch (IOException e) {
            throw new PullException("cannot write the image into " + sibling + ": " + e.getMessage(), e);
        } finally {
            if (!installed) {
                TargetDirectory.deleteSibling(sibling);
            }
            guard.close();
        }
        return unpacked;
    }

    /**
     * Each layer's directory in the store, bottom first: up to {@link #PARALLEL_LAYERS} layers
     * downloaded and unpacked at once. The first failure stops the others (interrupted, each
     * removes its half-unpacked sibling) and is thrown once all have stopped: no thread of this
     * pull outlives it, and the store holds only whole layers. A layer the image lists twice is
     * unpacked once: two copies at once, the one that lost the rename into place would be left
     * beside it by a user, who cannot remove the files its range owns.
     */
    private List<String> unpackAll(List<Image.Layer> layers) throws PullException {
        if (layers.isEmpty()) {
            return List.of();
        }
        Map<String, Image.Layer> distinct = new LinkedHashMap<>();
        for (Image.Layer layer : layers) {
            distinct.putIfAbsent(layer.diffId(), layer);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL_LAYERS, distinct.size()));
        CompletionService<Path> done = new ExecutorCompletionService<>(pool);
        Map<String, Future<Path>> futures = new HashMap<>();
        try {
            for (Image.Layer layer : distinct.values()) {
                futures.put(layer.diffId(), done.submit(() -> store.unpack(layer.blob(), layer.descriptor(),
                        layer.diffId(), layer.size(), layer.name(), progress)));
            }
            for (int i = 0; i < futures.size(); i++) {
                result(done.take());
            }
            List<String> directories = new ArrayList<>();
            for (Image.Layer layer : layers) {
                directories.add(result(futures.get(layer.diffId())).toString());
            }
            return directories;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PullException("interrupted; what was half made is removed", e);
        } finally {
            for (Future<Path> future : futures.values()) {
                future.cancel(true);
            }
            pool.shutdown();
            awaitUninterruptibly(pool);
        }
    }

    private static Path result(Future<Path> future) throws PullException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PullException pull) {
                throw pull;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void awaitUninterruptibly(ExecutorService pool) {
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
