// Machine peaks and caches (see Machine.h). The FMA kernels are compiled per
// ISA with target attributes and picked at run time, so one htune binary
// reports the right peak on AVX2 and AVX-512 hosts. probe_caches() is at the
// end.
#include "measure/Machine.h"

#include <immintrin.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define HTUNE_HAVE_CPUID 1
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
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

namespace {

// A sysfs cache size ("48K", "32768K", "1M"), in bytes; 0 when unreadable.
uint64_t sysfs_size(const std::string &path) {
    std::ifstream in(path);
    std::string text;
    if (!(in >> text) || text.empty()) return 0;
    uint64_t v = std::strtoull(text.c_str(), nullptr, 10);
    char unit = text.back();
    if (unit == 'K') v <<= 10;
    if (unit == 'M') v <<= 20;
    if (unit == 'G') v <<= 30;
    return v;
}

}  // namespace

uint64_t last_level_cache_bytes(uint64_t fallback) {
    uint64_t best = 0;
    for (int index = 0; index < 8; index++)
        best = std::max(
            best, sysfs_size("/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/size"));
    return best ? best : fallback;
}

// ---- probe_caches ----

namespace {

std::string read_word(const std::string &path) {
    std::ifstream in(path);
    std::string w;
    in >> w;
    return w;
}

// Keeps the first size seen per level: data or unified caches only.
void note_level(CacheSource &s, int level, bool data_or_unified, uint64_t bytes) {
    if (!data_or_unified || bytes == 0) return;
    uint64_t *slot = level == 1   ? &s.l1d_bytes
                     : level == 2 ? &s.l2_bytes
                     : level == 3 ? &s.l3_bytes
                                  : nullptr;
    if (slot && *slot == 0) *slot = bytes;
}

bool cpu_is_amd() {
#ifdef HTUNE_HAVE_CPUID
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return false;
    char vendor[13] = {};
    std::memcpy(vendor, &b, 4);
    std::memcpy(vendor + 4, &d, 4);
    std::memcpy(vendor + 8, &c, 4);
    return std::strcmp(vendor, "AuthenticAMD") == 0 || std::strcmp(vendor, "HygonGenuine") == 0;
#else
    return false;
#endif
}

// Deterministic cache parameters: leaf 0x8000001D on AMD, leaf 4 elsewhere.
// Each subleaf describes one cache; its size is that of one instance (ways *
// partitions * line size * sets), e.g. one core complex's L3.
CacheSource cpuid_caches(bool amd) {
    CacheSource s{"cpuid"};
#ifdef HTUNE_HAVE_CPUID
    const unsigned leaf = amd ? 0x8000001Du : 4u;
    unsigned a, b, c, d;
    if (__get_cpuid_max(leaf & 0x80000000u, nullptr) < leaf) return s;
    for (unsigned sub = 0; sub < 16; sub++) {
        if (!__get_cpuid_count(leaf, sub, &a, &b, &c, &d)) break;
        unsigned type = a & 0x1f;  // 0 none, 1 data, 2 instruction, 3 unified
        if (type == 0) break;
        uint64_t ways = ((b >> 22) & 0x3ff) + 1, partitions = ((b >> 12) & 0x3ff) + 1, line = (b & 0xfff) + 1,
                 sets = uint64_t(c) + 1;
        note_level(s, (a >> 5) & 7, type == 1 || type == 3, ways * partitions * line * sets);
    }
#else
    (void)amd;
#endif
    return s;
}

CacheSource sysfs_caches() {
    CacheSource s{"sysfs"};
    for (int index = 0; index < 16; index++) {
        std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
        std::string type = read_word(dir + "type");
        int level = std::atoi(read_word(dir + "level").c_str());
        note_level(s, level, type == "Data" || type == "Unified", sysfs_size(dir + "size"));
    }
    return s;
}

CacheSource sysconf_caches() {
    CacheSource s{"sysconf"};
#if defined(_SC_LEVEL1_DCACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE) && defined(_SC_LEVEL3_CACHE_SIZE)
    auto get = [](int name) {
        long v = sysconf(name);
        return v > 0 ? uint64_t(v) : uint64_t(0);
    };
    s.l1d_bytes = get(_SC_LEVEL1_DCACHE_SIZE);
    s.l2_bytes = get(_SC_LEVEL2_CACHE_SIZE);
    s.l3_bytes = get(_SC_LEVEL3_CACHE_SIZE);
#endif
    return s;
}

// SMT threads per core from CPUID (0 when unknown): leaf 0xB's SMT level on
// Intel, leaf 0x8000001E on AMD.
int cpuid_threads_per_core(bool amd) {
#ifdef HTUNE_HAVE_CPUID
    unsigned a, b, c, d;
    if (amd) {
        if (__get_cpuid_max(0x80000000u, nullptr) < 0x8000001Eu) return 0;
        __get_cpuid_count(0x8000001Eu, 0, &a, &b, &c, &d);
        return b == 0 ? 0 : (int)((b >> 8) & 0xff) + 1;
    }
    if (__get_cpuid_max(0, nullptr) < 0xB) return 0;
    __get_cpuid_count(0xB, 0, &a, &b, &c, &d);
    return ((c >> 8) & 0xff) == 1 ? (int)(b & 0xffff) : 0;
#else
    (void)amd;
    return 0;
#endif
}

// Physical cores in the affinity mask: distinct (package, core) pairs from
// sysfs topology, else the CPU count / SMT threads per core.
int affinity_cores(bool amd) {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> cpus;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
            if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
    }
    if (cpus.empty()) return std::max(1u, std::thread::hardware_concurrency());
    std::set<std::pair<std::string, std::string>> cores;
    for (int cpu : cpus) {
        std::string dir = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
        std::string package = read_word(dir + "physical_package_id"), core = read_word(dir + "core_id");
        if (package.empty() || core.empty()) {
            cores.clear();
            break;
        }
        cores.insert({package, core});
    }
    if (!cores.empty()) return (int)cores.size();
    int per_core = cpuid_threads_per_core(amd);
    return std::max(1, (int)cpus.size() / std::max(1, per_core));
}

}  // namespace

MachineCaches default_caches() {
    MachineCaches c;
    c.l1d_bytes = uint64_t(32) << 10;
    c.l2_bytes = uint64_t(512) << 10;
    c.l3_bytes = uint64_t(32) << 20;
    c.cores = 1;
    c.source = "default";
    return c;
}

MachineCaches combine_cache_sources(const std::vector<CacheSource> &sources, int cores) {
    const MachineCaches fallback = default_caches();
    std::vector<CacheSource> all = sources;
    all.push_back({fallback.source, fallback.l1d_bytes, fallback.l2_bytes, fallback.l3_bytes});
    MachineCaches c;
    std::string from[3];
    uint64_t *slot[3] = {&c.l1d_bytes, &c.l2_bytes, &c.l3_bytes};
    for (const CacheSource &s : all) {
        const uint64_t v[3] = {s.l1d_bytes, s.l2_bytes, s.l3_bytes};
        for (int l = 0; l < 3; l++)
            if (*slot[l] == 0 && v[l] > 0) *slot[l] = v[l], from[l] = s.name;
    }
    if (!(c.l1d_bytes <= c.l2_bytes && c.l2_bytes <= c.l3_bytes)) {
        c = fallback;
        from[0] = from[1] = from[2] = fallback.source;
    }
    c.cores = std::max(1, cores);
    c.source = from[0] == from[1] && from[1] == from[2]
                   ? from[0]
                   : "L1d " + from[0] + ", L2 " + from[1] + ", L3 " + from[2];
    return c;
}

const MachineCaches &probe_caches() {
    static const MachineCaches caches = [] {
        const bool amd = cpu_is_amd();
        CacheSource cpuid = cpuid_caches(amd), sysfs = sysfs_caches(), sysconf = sysconf_caches();
        // Without leaf 0x8000001D's L3, AMD's other L3 figures are the package's.
        if (amd && cpuid.l3_bytes == 0) sysfs.l3_bytes = sysconf.l3_bytes = 0;
        return combine_cache_sources({cpuid, sysfs, sysconf}, affinity_cores(amd));
    }();
    return caches;
}

std::string describe(const MachineCaches &c) {
    auto size = [](uint64_t bytes) {
        if (bytes >= (uint64_t(1) << 20) && bytes % (uint64_t(1) << 20) == 0)
            return std::to_string(bytes >> 20) + " MiB";
        if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
        return std::to_string(bytes) + " B";
    };
    return "L1d " + size(c.l1d_bytes) + ", L2 " + size(c.l2_bytes) + ", L3 " + size(c.l3_bytes) + ", " +
           std::to_string(c.cores) + (c.cores == 1 ? " core" : " cores") + " (" + c.source + ")";
}

}  // namespace htune
