// core-share: is this core's speed our own? Alternates two 10-microsecond loops, many times:
//   - a chain of dependent adds: one add per cycle whatever else the core runs, so its rate is the
//     clock frequency;
//   - eight independent add chains: they need the core's four integer units every cycle, so they
//     slow down when the physical core's other hardware thread (another tenant's, on a cloud host)
//     is busy, at an unchanged clock.
// If the first stays put while the second swings, the host shares the core; if both move
// together, the clock changes. Prints each loop's rate at a few quantiles over 20,000 samples.
//
// Build and run (x86-64; clang or gcc): clang -O2 bench/host/core-share.c -o /tmp/core-share && /tmp/core-share

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <x86intrin.h>

enum { Samples = 20000, ChainIterations = 4000, WideIterations = 2000 };

static uint64_t now(void)
{
    unsigned int cpu;
    return __rdtscp(&cpu);
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *name, double *values)
{
    static const double quantiles[] = {0.02, 0.10, 0.25, 0.50, 0.75, 0.90, 0.98};
    qsort(values, Samples, sizeof *values, compare);
    printf("%-44s", name);
    for (size_t i = 0; i < sizeof quantiles / sizeof *quantiles; i++)
    {
        printf(" p%02d %.3f", (int)(quantiles[i] * 100), values[(size_t)(quantiles[i] * Samples)]);
    }

    printf("\n");
}

int main(void)
{
    static double chain[Samples], wide[Samples];
    uint64_t keep = 0;
    for (int s = 0; s < Samples; s++)
    {
        uint64_t x = (uint64_t)s, a0 = 1, a1 = 2, a2 = 3, a3 = 4, a4 = 5, a5 = 6, a6 = 7, a7 = 8;
        uint64_t t0 = now();
        for (int i = 0; i < ChainIterations; i++)
        {
            __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
        }

        uint64_t t1 = now();
        for (int i = 0; i < WideIterations; i++)
        {
            __asm__ volatile(
                "add $1, %0\n\tadd $1, %1\n\tadd $1, %2\n\tadd $1, %3\n\tadd $1, %4\n\tadd $1, %5\n\tadd $1, %6\n\tadd $1, %7\n\t"
                "add $1, %0\n\tadd $1, %1\n\tadd $1, %2\n\tadd $1, %3\n\tadd $1, %4\n\tadd $1, %5\n\tadd $1, %6\n\tadd $1, %7"
                : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6), "+r"(a7));
        }

        uint64_t t2 = now();
        keep += x + a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;

        // Adds per TSC tick (the TSC runs at a fixed rate, whatever the core's clock).
        chain[s] = (double)(4 * ChainIterations) / (double)(t1 - t0);
        wide[s] = (double)(16 * WideIterations) / (double)(t2 - t1);
    }

    printf("adds per TSC tick, %d samples of each loop, alternating (higher is faster)\n", Samples);
    report("dependent chain (follows the clock):", chain);
    report("eight chains (follows the core's share):", wide);
    printf("the wide loop's ceiling is 4 x the chain's rate (four integer units); (ignore: %llu)\n", (unsigned long long)(keep & 1));
    return 0;
}
