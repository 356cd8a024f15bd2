/* The course's part 1 program: the first ten Fibonacci numbers, one a line.
 * Built static with musl (scripts/build-fib.sh) so it runs on any root
 * filesystem, Alpine's included, without a C library inside. */
#include <stdio.h>

int
main(void)
{
    unsigned long a = 1, b = 1;

    puts("Fibonacci numbers:");
    for (int i = 0; i < 10; i++) {
        unsigned long next = a + b;
        printf("%lu\n", a);
        a = b;
        b = next;
    }
    return 0;
}
