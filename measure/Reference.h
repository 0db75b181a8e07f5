// The reference side of a measurement: the workload's reference outputs on two input sets
// (computed once per workload by the parent and shared with workers as a raw file) and the
// reference run time that run timeouts scale from.
#pragma once

#include <Halide.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ops/Workload.h"

namespace htune {

// Every candidate is checked on this many input sets (measure/Check.h): a wrong schedule that
// happens to give the right output on one input (a race that did not strike, a bug that only
// shows on some values) must also be right on another.
constexpr int kInputSets = 2;

// The seed of input set `set` (0-based) of a measurement with input seed `seed`: set 0 is
// `seed` itself (timing runs use it), set 1 a different stream derived from it.
uint64_t input_set_seed(uint64_t seed, int set);

// One input set and the reference outputs computed from it.
struct InputSet {
    uint64_t seed = 0;
    std::vector<Halide::Buffer<>> inputs;   // Workload::make_inputs(seed)
    std::vector<Halide::Buffer<>> outputs;  // what the reference schedule computes from them
};

struct ReferenceData {
    std::vector<InputSet> sets;  // kInputSets of them, set 0 first
    double run_s = 0;            // one run of the reference schedule, seconds
};

// Computes the reference outputs of every input set with the reference schedule
// (Workload::build_reference, the definition of "correct"): one compile and one run per set;
// the last set's run (not the first, which starts the thread pool) is run_s. Throws a halide
// Error when the reference cannot be built or run.
ReferenceData compute_reference(const Workload &w, uint64_t seed, const Halide::Target &target);

// Writes every buffer's raw bytes, in order (buffers must be dense). Throws an io Error.
void write_raw_buffers(const std::string &path, const std::vector<Halide::Buffer<>> &buffers);
// The reference file of `r`: the outputs of set 0, then those of set 1 (write_raw_buffers).
void write_reference_file(const std::string &path, const ReferenceData &r);
// Reads a file written by write_reference_file: `sets` groups of buffers shaped like
// w.make_outputs(). Throws an io Error when the file is missing or its size does not match.
std::vector<std::vector<Halide::Buffer<>>> read_reference_outputs(const std::string &path, const Workload &w,
                                                                  int sets = kInputSets);

}  // namespace htune
