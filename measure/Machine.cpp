// Machine peaks (see Machine.h). The FMA kernels are compiled per ISA with
// target attributes and picked at run time, so one htune binary reports the
// right peak on AVX2 and AVX-512 hosts.
#include "measure/Machine.h"

#include <immintrin.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace htune {

namespace {

// Each kernel: 12 independent accumulator chains (enough to cover FMA latency x
// throughput on current x86 cores), `iters` rounds; returns a value that
// depends on every chain so nothing is optimized away. Flops per call: iters *
// 12 * lanes * 2. The 12 chains are spelled out so that they stay in registers
// (an array indexed in a loop may be kept in memory at -O2, which measures
// store forwarding instead of FMA throughput).
#define HTUNE_FMA12(FMA, a, b)                                                              \
    for (long n = 0; n < iters; n++) {                                                      \
        c0 = FMA(c0, a, b), c1 = FMA(c1, a, b), c2 = FMA(c2, a, b), c3 = FMA(c3, a, b);     \
        c4 = FMA(c4, a, b), c5 = FMA(c5, a, b), c6 = FMA(c6, a, b), c7 = FMA(c7, a, b);     \
        c8 = FMA(c8, a, b), c9 = FMA(c9, a, b), c10 = FMA(c10, a, b), c11 = FMA(c11, a, b); \
    }

__attribute__((target("avx2,fma"))) float fma_avx2(long iters) {
    __m256 c0 = _mm256_set1_ps(0.f), c1 = _mm256_set1_ps(.1f), c2 = _mm256_set1_ps(.2f),
           c3 = _mm256_set1_ps(.3f), c4 = _mm256_set1_ps(.4f), c5 = _mm256_set1_ps(.5f),
           c6 = _mm256_set1_ps(.6f), c7 = _mm256_set1_ps(.7f), c8 = _mm256_set1_ps(.8f),
           c9 = _mm256_set1_ps(.9f), c10 = _mm256_set1_ps(1.f), c11 = _mm256_set1_ps(1.1f);
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    HTUNE_FMA12(_mm256_fmadd_ps, a, b)
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(c0, c1), _mm256_add_ps(c2, c3)),
                             _mm256_add_ps(_mm256_add_ps(c4, c5), _mm256_add_ps(c6, c7)));
    s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(c8, c9), _mm256_add_ps(c10, c11)));
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0] + out[7];
}

__attribute__((target("avx512f"))) float fma_avx512(long iters) {
    __m512 c0 = _mm512_set1_ps(0.f), c1 = _mm512_set1_ps(.1f), c2 = _mm512_set1_ps(.2f),
           c3 = _mm512_set1_ps(.3f), c4 = _mm512_set1_ps(.4f), c5 = _mm512_set1_ps(.5f),
           c6 = _mm512_set1_ps(.6f), c7 = _mm512_set1_ps(.7f), c8 = _mm512_set1_ps(.8f),
           c9 = _mm512_set1_ps(.9f), c10 = _mm512_set1_ps(1.f), c11 = _mm512_set1_ps(1.1f);
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    HTUNE_FMA12(_mm512_fmadd_ps, a, b)
    __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(c0, c1), _mm512_add_ps(c2, c3)),
                             _mm512_add_ps(_mm512_add_ps(c4, c5), _mm512_add_ps(c6, c7)));
    s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(c8, c9), _mm512_add_ps(c10, c11)));
    float out[16];
    _mm512_storeu_ps(out, s);
    return out[0] + out[15];
}

float fma_scalar(long iters) {
    float c0 = 0, c1 = .1f, c2 = .2f, c3 = .3f, c4 = .4f, c5 = .5f, c6 = .6f, c7 = .7f, c8 = .8f, c9 = .9f,
          c10 = 1, c11 = 1.1f;
    const float a = 0.999999f, b = 1e-7f;
    HTUNE_FMA12(std::fma, a, b)
    return c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
}

double thread_cpu_s() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

// Runs fn(t) on `threads` threads at once; returns the sum over threads of
// work(t) / (CPU time of thread t): the machine's rate when every thread has a
// core to itself. CPU time, not wall time, so that other processes on a busy
// machine do not make the ceilings look lower than the hardware is (they are
// ceilings, not this moment's share).
template <typename F>
double run_parallel(int threads, F fn, double work_per_thread) {
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<double> cpu(threads, 0);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; t++)
        pool.emplace_back([&, t] {
            ready++;
            while (!go) std::this_thread::yield();
            double c0 = thread_cpu_s();
            fn(t);
            cpu[t] = thread_cpu_s() - c0;
        });
    while (ready < threads) std::this_thread::yield();
    go = true;
    for (auto &th : pool) th.join();
    double rate = 0;
    for (double c : cpu) rate += work_per_thread / std::max(c, 1e-6);
    return rate;
}

std::atomic<float> sink{0};

}  // namespace

MachinePeaks measure_peaks(int threads, uint64_t bandwidth_bytes) {
    MachinePeaks p;
    p.threads = threads = std::max(1, threads);
    __builtin_cpu_init();
    float (*kernel)(long) = fma_scalar;
    int lanes = 1;
    p.fma_isa = "scalar";
    if (__builtin_cpu_supports("avx512f")) {
        kernel = fma_avx512;
        lanes = 16;
        p.fma_isa = "avx512f";
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        kernel = fma_avx2;
        lanes = 8;
        p.fma_isa = "avx2+fma";
    }
    // Size the rounds to ~0.05 s of CPU each from a short probe, then keep the
    // best of 4.
    long iters = 1 << 14;
    for (;;) {
        double t0 = thread_cpu_s();
        sink = sink + kernel(iters);
        double dt = thread_cpu_s() - t0;
        if (dt > 0.005 || iters > (1L << 34)) {
            iters = std::max(1L, (long)(iters * 0.05 / std::max(dt, 1e-6)));
            break;
        }
        iters *= 4;
    }
    double best = 0;
    for (int round = 0; round < 4; round++)
        best = std::max(
            best, run_parallel(
                      threads, [&](int) { sink = sink + kernel(iters); }, (double)iters * 12 * lanes * 2));
    p.peak_gflops = best / 1e9;

    // Bandwidth: dst = 3 * src over two arrays, each thread streaming its own
    // slice.
    size_t n = std::max<uint64_t>(bandwidth_bytes / sizeof(float), 1 << 20);
    std::unique_ptr<float[]> src(new float[n]), dst(new float[n]);
    auto slice = [&](int t, size_t &b, size_t &e) {
        b = n * t / threads;
        e = n * (t + 1) / threads;
    };
    run_parallel(
        threads,
        [&](int t) {  // first touch by the thread that streams the slice
            size_t b, e;
            slice(t, b, e);
            for (size_t i = b; i < e; i++) src[i] = (float)(i & 1023), dst[i] = 0;
        },
        1);
    double best_bw = 0;
    for (int round = 0; round < 5; round++)
        best_bw = std::max(best_bw, run_parallel(
                                        threads,
                                        [&](int t) {
                                            size_t b, e;
                                            slice(t, b, e);
                                            float *__restrict d = dst.get();
                                            const float *__restrict s = src.get();
                                            for (size_t i = b; i < e; i++) d[i] = 3.0f * s[i];
                                        },
                                        2.0 * n * sizeof(float) / threads));
    sink = sink + dst[n / 2];
    p.bandwidth_gbs = best_bw / 1e9;
    return p;
}

uint64_t last_level_cache_bytes(uint64_t fallback) {
    uint64_t best = 0;
    for (int index = 0; index < 8; index++) {
        std::ifstream in("/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/size");
        std::string text;
        if (!(in >> text) || text.empty()) continue;
        uint64_t v = std::strtoull(text.c_str(), nullptr, 10);
        char unit = text.back();
        if (unit == 'K') v <<= 10;
        if (unit == 'M') v <<= 20;
        if (unit == 'G') v <<= 30;
        best = std::max(best, v);
    }
    return best ? best : fallback;
}

}  // namespace htune
