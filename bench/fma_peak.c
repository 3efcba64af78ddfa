// The machine's float32 peak: each thread runs twelve independent chains of 16-wide AVX-512 fused
// multiply-adds, enough to keep both FMA pipes of a core busy; no loads or stores in the loop. A
// GEMM cannot run faster than this, which bounds any dense network's images/s from above.
//
//     gcc -O2 -mavx512f -mfma -pthread bench/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak 2
//
// Prints one JSON line: threads, gflop_per_s, seconds.
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ITERATIONS 100000000L
#define CHAINS 12

static volatile float sink[64];

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define FMA(x) x = _mm512_fmadd_ps(x, b, c);

static void *chains(void *arg) {
    __m512 b = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
    __m512 a0 = _mm512_set1_ps(1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    __m512 a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
    for (long i = 0; i < ITERATIONS; i++) {
        FMA(a0) FMA(a1) FMA(a2) FMA(a3) FMA(a4) FMA(a5)
        FMA(a6) FMA(a7) FMA(a8) FMA(a9) FMA(a10) FMA(a11)
        // Keeps the compiler from folding or interleaving the chains away.
        __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4), "+v"(a5),
                         "+v"(a6), "+v"(a7), "+v"(a8), "+v"(a9), "+v"(a10), "+v"(a11));
    }
    __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                             _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
    s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
    sink[(long) arg] = _mm512_reduce_add_ps(s);
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    if (threads < 1 || threads > 64) {
        fprintf(stderr, "usage: fma_peak [THREADS 1..64]\n");
        return 2;
    }
    pthread_t t[64];
    double start = now();
    for (long i = 0; i < threads; i++) {
        pthread_create(&t[i], NULL, chains, (void *) i);
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
    }
    double seconds = now() - start;
    double flops = (double) threads * ITERATIONS * CHAINS * 16 * 2;
    printf("{\"threads\":%d,\"gflop_per_s\":%.1f,\"seconds\":%.3f}\n", threads, flops / seconds / 1e9, seconds);
    return 0;
}
