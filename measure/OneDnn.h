// The "onednn" external kernel: built-in DNN operators (ops/builtin/Dnn.cpp, DnnLayers.cpp,
// LinearAlgebra.cpp)
// computed by oneDNN primitives on the worker's own buffers, for `htune compare`'s onednn row.
// Reached through external_kernel (External.h); the design notes are at the top of OneDnn.cpp.
#pragma once

#include <Halide.h>

#include <functional>
#include <string>
#include <vector>

#include "ops/OpRegistry.h"

namespace htune {

// The built-in operators onednn_kernel computes: conv2d, conv, depthwise_separable_conv, pool,
// fully_connected, add, attention, matmul, softmax, layernorm.
const std::vector<std::string> &onednn_ops();

// Why onednn_kernel does not compute `spec`'s operator, as one line naming the op and the ones it
// does compute; "" when it is one of onednn_ops() (whether or not this htune was built with
// oneDNN: have_onednn()). It looks at the op only: oneDNN computes each of these ops at every
// parameter value the op itself accepts.
std::string onednn_unsupported(const WorkloadSpec &spec);

// Creates the oneDNN primitives for `spec` once (reordering constant weights once, here) and
// returns a callable that executes them on `inputs` into its argument's first output, on
// `threads` OpenMP threads. `inputs` must stay alive and unchanged while the callable is used.
// Throws a usage Error for an op it does not compute, a build without oneDNN, or buffers that
// are not the op's float32 shapes (the candidate's compile_error).
std::function<void(std::vector<Halide::Buffer<>> &outputs)> onednn_kernel(
    const WorkloadSpec &spec, const std::vector<Halide::Buffer<>> &inputs, int threads);

}  // namespace htune
