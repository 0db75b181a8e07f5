// The reference side of a measurement: the workload's reference output (computed once per
// workload by the parent and shared with workers as a raw file) and the reference run time
// that run timeouts scale from.
#pragma once

#include <Halide.h>

#include <string>
#include <vector>

#include "ops/Workload.h"

namespace htune {

struct ReferenceData {
    std::vector<Halide::Buffer<>> inputs;   // Workload::make_inputs(seed)
    std::vector<Halide::Buffer<>> outputs;  // Workload::reference(inputs, target)
    double run_s = 0;                       // one run of the reference schedule, seconds
};

// Computes the reference outputs with Workload::reference (the definition of "correct") and
// times one run of the same schedule (Workload::reference_plan), compiled first so the compile is
// not in the time. Throws a halide Error when the reference cannot be built or run.
ReferenceData compute_reference(const Workload &w, uint64_t seed, const Halide::Target &target);

// Writes every buffer's raw bytes, in order (buffers must be dense). Throws an io Error.
void write_raw_buffers(const std::string &path, const std::vector<Halide::Buffer<>> &buffers);
// Reads a file written by write_raw_buffers into buffers shaped like w.make_outputs(); throws
// an io Error when the file is missing or its size does not match.
std::vector<Halide::Buffer<>> read_reference_outputs(const std::string &path, const Workload &w);

}  // namespace htune
