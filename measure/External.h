// External kernels: library implementations of a workload that the worker
// measures with the same protocol as Halide candidates (reference check,
// timing). "openblas" (cblas_sgemm) for the built-in matmul, when htune was
// built with OpenBLAS (HTUNE_HAVE_OPENBLAS); "onednn" for the built-in DNN ops
// and matmul, when built with oneDNN (HTUNE_HAVE_ONEDNN; measure/OneDnn.h).
#pragma once

#include <Halide.h>

#include <functional>
#include <string>
#include <vector>

#include "ops/OpRegistry.h"

namespace htune {

// A callable that computes `spec`'s outputs from `inputs` with the named
// library, using `threads` threads. Throws a usage Error when the kernel is
// unknown, not built in, or does not compute this workload (the candidate's
// compile_error).
std::function<void(std::vector<Halide::Buffer<>> &outputs)> external_kernel(
    const std::string &name, const WorkloadSpec &spec, const std::vector<Halide::Buffer<>> &inputs,
    int threads);

}  // namespace htune
