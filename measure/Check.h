// The correctness check a candidate passes before it is timed: its output on every input set
// (measure/Reference.h) compared with the reference's, element by element (ops/BufferCompare.h).
// The worker (Worker.cpp) runs it for every candidate kind; tests drive it with hand-built
// pipelines that no schedule in htune's space can express (a race).
#pragma once

#include <Halide.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace htune {

struct CheckResult {
    bool ok = true;
    int failed_set = -1;   // 0-based input set whose output differs; -1 when ok
    double max_error = 0;  // largest |candidate - reference| over the sets checked
    std::string error;     // names the input set (1-based, and its seed) and the worst element
};

// For each input set k in order: fills every output byte with 0xff (NaN for floats, the maximum
// for integers, so a previous run's values cannot pass for this one's), calls run(k), which
// computes the candidate's outputs from input set k into `outputs`, and compares them with
// references[k]. Stops at the first set that differs. `seeds[k]` only names the set in the
// error. Exceptions from run(k) propagate (the caller's runtime_error).
CheckResult check_input_sets(const std::function<void(int set)> &run, std::vector<Halide::Buffer<>> &outputs,
                             const std::vector<std::vector<Halide::Buffer<>>> &references,
                             const std::vector<uint64_t> &seeds, double rel_tolerance, double int_tolerance);

}  // namespace htune
