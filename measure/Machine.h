// This machine's ceilings, for putting measured times in context (`htune
// compare`): the fp32 FMA peak and the streaming memory bandwidth, measured
// with small microbenchmarks, and the cache sizes Halide's autoschedulers are
// told about.
#pragma once

#include <cstdint>

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

}  // namespace htune
