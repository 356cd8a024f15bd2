/* cpu.shares as cgroup v2's cpu.weight (cpu_weight.h). */
#include <math.h>

#include "cpu_weight.h"

#define MIN_SHARES 2
#define MAX_SHARES 262144
#define MAX_WEIGHT 10000

long long
cfs_cpu_weight(long long shares)
{
    double l, exponent;

    if (shares <= MIN_SHARES)
        return 1;
    if (shares >= MAX_SHARES)
        return MAX_WEIGHT;
    l = log2((double)shares);
    exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
    /* Less a millionth: at 1024 shares the exponent is 2 give or take the
     * last bit (a fused multiply-add on arm64 rounds differently), and 10^2
     * must stay 100, not become 101. */
    return (long long)ceil(pow(10.0, exponent) - 1e-6);
}
