package io.containerfs.linux;

/**
 * One of an OCI config's process.rlimits: a resource by name (RLIMIT_NOFILE and the like, which
 * the core looks up), its soft and hard limits, -1 being unlimited (RLIM_INFINITY).
 */
public record Rlimit(String type, long soft, long hard) {}
