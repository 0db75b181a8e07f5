// MeasureOptions: how a Runner measures (workers, timing protocol, timeouts, memory limit,
// inputs, target), and the limits derived from them. Stored with each run; definitions in
// MeasureOptions.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace htune {

// The workers' default address-space limit (--memory-limit-mb 4096).
constexpr size_t kDefaultAddressSpaceBytes = size_t(4) << 30;

struct MeasureOptions {
    int workers = 2;                 // worker processes; compiles run in parallel across them
    int threads = 0;                 // Halide thread count for candidate runs; 0 = hardware cores
    int warmup = 1;                  // untimed runs after the (untimed) correctness run
    int min_repeats = 5;             // timed runs: at least this many ...
    double min_seconds = 0.2;        // ... and at least this much total timed wall time (seconds)
    int max_repeats = 10000;         // hard cap on timed runs, for very fast kernels
    double compile_timeout_s = 120;  // per compile (fresh pipeline + apply + JIT), seconds
    // A run job (two correctness runs + warm-up + timed repeats) may take at most
    // max(run_timeout_floor_s, run_timeout_factor * reference_s * (3 + warmup + min_repeats))
    // + min_seconds, where reference_s is one run of the reference schedule (see
    // run_timeout_s()).
    double run_timeout_factor = 10;
    double run_timeout_floor_s = 2;
    size_t address_space_bytes = kDefaultAddressSpaceBytes;  // RLIMIT_AS of each worker, bytes; 0 = none
    uint64_t input_seed = 1;      // seed of the synthesized inputs (Workload::make_inputs)
    std::string target = "host";  // Halide target string for the JIT
    std::string worker_exe;       // the `htune` binary; empty = this process (/proc/self/exe)
};

// Throws a usage Error naming the first option that would make measurements meaningless or
// unbounded (no workers, no repeats, a non-positive timeout, ...).
void validate(const MeasureOptions &o);
// The wall-clock limit (seconds) of one run job, given one reference run of `reference_s`.
double run_timeout_s(const MeasureOptions &o, double reference_s);
// The Halide thread count a runner with `o` uses (resolves threads == 0 to the core count).
int resolved_threads(const MeasureOptions &o);

}  // namespace htune
