package io.containerfs.linux;

/**
 * What the container may use, with {@code docker run}'s options; 0 means no limit. With any limit,
 * or with {@code stats}, the container gets a cgroup of its own (src/main/c/core/cgroup.c).
 *
 * @param memory bytes of memory ({@code --memory})
 * @param memorySwap bytes of memory and swap together ({@code --memory-swap}); 0: twice
 *     {@code memory}; -1: any amount of swap
 * @param pidsLimit processes and threads at once ({@code --pids-limit})
 * @param cpuQuota microseconds of CPU time per 100 ms ({@code --cpus} times 100000)
 * @param cpuShares its weight against other cgroups when the CPUs are busy ({@code --cpu-shares}), 2 to
 *     262144; 0: the kernel's default, 1024 (cgroup v2: the {@code cpu.weight} it maps to)
 * @param stats print what the container used when it ends ({@code --stats})
 */
public record Limits(long memory, long memorySwap, long pidsLimit, long cpuQuota, long cpuShares, boolean stats) {
    public static final Limits NONE = new Limits(0, 0, 0, 0, 0, false);
    /** cpu.shares' range in the kernel (sched.h's MIN_SHARES and MAX_SHARES). */
    public static final long MIN_CPU_SHARES = 2;
    public static final long MAX_CPU_SHARES = 262144;
}
