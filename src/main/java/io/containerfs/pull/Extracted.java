package io.containerfs.pull;

import java.nio.file.Path;

/** What an extraction installed: how many entries, how many bytes of files, and the archive's SHA-256. */
public record Extracted(Path dir, long entries, long fileBytes, String sha256) {}
