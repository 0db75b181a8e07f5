// This machine's ceilings, for putting measured times in context (`htune
// compare`): the fp32 FMA peak and the streaming memory bandwidth, measured
// with small microbenchmarks; the cache sizes Halide's autoschedulers are told
// about; and the cache sizes and core count the cost model's features use
// (probe_caches).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace htune {

struct MachinePeaks {
    double peak_gflops = 0;    // fp32 FMA throughput over `threads` threads, GFLOP/s
    double bandwidth_gbs = 0;  // streaming scale (read + write) over `threads` threads, GB/s
    int threads = 0;
    const char *fma_isa = "";  // "avx512f", "avx2+fma" or "scalar": the code path that ran
};

// Runs both microbenchmarks (well under a second of CPU together): 12
// independent vector FMA chains on every thread (best of 4 rounds), and dst = 3
// * src over `bandwidth_bytes` per array (256 MiB streamed per pass by default;
// first touched in parallel; counted as 2 bytes moved per byte of src; best of
// 5 passes). Rates are per thread CPU time, summed over threads, so a busy
// machine does not make the ceilings look lower than the hardware is.
MachinePeaks measure_peaks(int threads, uint64_t bandwidth_bytes = uint64_t(128) << 20);

// The size of the largest (last-level) CPU cache, from sysfs; `fallback` when
// unknown.
uint64_t last_level_cache_bytes(uint64_t fallback = uint64_t(16) << 20);

// What one core sees: the size of one *instance* of each cache level (the L3
// of its core complex, not the package's total) and the physical cores this
// process may run on.
struct MachineCaches {
    uint64_t l1d_bytes = 0, l2_bytes = 0, l3_bytes = 0;
    int cores = 1;  // physical cores in this process's CPU affinity mask, >= 1
    // Where the sizes came from: "cpuid", "sysfs", "sysconf" or "default" when
    // every level came from one source, else per level ("L1d sysconf, L2
    // sysconf, L3 default").
    std::string source;
    bool operator==(const MachineCaches &o) const {
        return l1d_bytes == o.l1d_bytes && l2_bytes == o.l2_bytes && l3_bytes == o.l3_bytes &&
               cores == o.cores && source == o.source;
    }
};

// This machine's caches, probed once per process (thread-safe) and never
// failing. Each level comes from the first source that knows it: CPUID cache
// descriptors (leaf 4 on Intel, 0x8000001D on AMD) -> sysfs
// /sys/devices/system/cpu/cpu0/cache -> sysconf(_SC_LEVEL*_CACHE_SIZE) ->
// the defaults below. On AMD, when leaf 0x8000001D has no L3, the L3 that sysfs
// and sysconf report comes from leaf 0x80000006, the whole package's (e.g. 512
// MiB on an EPYC whose core complex has 32 MiB), so it is not used. Sizes that
// are not ordered (L1d <= L2 <= L3) fall back to the defaults.
const MachineCaches &probe_caches();

// The fallback: a Zen3 core (L1d 32 KiB, L2 512 KiB, its complex's L3 32 MiB),
// one core.
MachineCaches default_caches();

// One source's sizes, 0 where it does not know a level.
struct CacheSource {
    std::string name;
    uint64_t l1d_bytes = 0, l2_bytes = 0, l3_bytes = 0;
};
// probe_caches' rule over `sources` (in priority order; the defaults are
// appended); exposed for tests.
MachineCaches combine_cache_sources(const std::vector<CacheSource> &sources, int cores);

// "L1d 48 KiB, L2 1 MiB, L3 32 MiB, 2 cores (sysconf)".
std::string describe(const MachineCaches &c);

}  // namespace htune
