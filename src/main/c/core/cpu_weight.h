/* cgroup v2's cpu.weight for a cgroup v1 cpu.shares (cgroup.c): the
 * conversion alone, without libc's state, so that a unit test can walk the
 * whole range. */
#ifndef CFS_CPU_WEIGHT_H
#define CFS_CPU_WEIGHT_H

/* cpu.shares (2 to 262144, 1024 the default) as cpu.weight (1 to 10000, 100
 * the default): the curve runc 1.3.2 and crun 1.23 draw, a quadratic in
 * log2(shares) through (2, 1), (1024, 100) and (262144, 10000) on a log
 * scale.  The straight line they drew before gave 1024 shares a weight of
 * 39, less than a cgroup without shares gets.  Out of range: its end. */
long long cfs_cpu_weight(long long shares);

#endif
