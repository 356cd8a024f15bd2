/* Unit tests of cpu_weight.c: cpu.shares as cgroup v2's cpu.weight.
 * Run by `make -C src/main/c test` and by `mvn test`. */
#include "check.h"
#include "cpu_weight.h"

/* The three points the curve goes through, and what runc 1.3.2 gives between. */
static void
the_ends_and_the_default_map_to_theirs(void)
{
    CHECK(cfs_cpu_weight(2) == 1);
    CHECK(cfs_cpu_weight(1024) == 100);
    CHECK(cfs_cpu_weight(262144) == 10000);
    CHECK(cfs_cpu_weight(512) == 59);
    CHECK(cfs_cpu_weight(2048) == 174);
    CHECK(cfs_cpu_weight(1) == 1);
    CHECK(cfs_cpu_weight(1000000) == 10000);
}

/* More shares never give less weight: what the straight line got wrong at 1024. */
static void
more_shares_never_weigh_less(void)
{
    long long previous = cfs_cpu_weight(2);

    for (long long shares = 3; shares <= 262144; shares++) {
        long long weight = cfs_cpu_weight(shares);
        if (weight < previous || weight < 1 || weight > 10000) {
            CHECK(weight >= previous && weight >= 1 && weight <= 10000);
            fprintf(stderr, "  at %lld shares: %lld after %lld\n", shares, weight, previous);
            return;
        }
        previous = weight;
    }
    CHECK(cfs_cpu_weight(1023) <= 100 && cfs_cpu_weight(1025) >= 100);
}

int
main(void)
{
    the_ends_and_the_default_map_to_theirs();
    more_shares_never_weigh_less();
    return check_summary("test_cpu_weight");
}
