// The built-in operator suite, one function per family; each appends OpDefs (OpRegistry.h).
// Conventions: every Func and Var is named explicitly (schedules key on names), inputs are
// ImageParams with estimates, outputs have estimates, boundaries are explicit clamps.
#pragma once

#include <vector>

#include "ops/OpRegistry.h"

namespace htune {

void add_linear_algebra_ops(std::vector<OpDef> &defs);  // matmul
void add_dnn_ops(std::vector<OpDef> &defs);             // conv2d, depthwise, resnet, softmax, layernorm
void add_image_ops(std::vector<OpDef> &defs);           // blur3x3, harris, bilateral_grid, ...

// Clamps `in` (2-D or 3-D) to its estimated extents: in_clamped(x, y[, c]).
Halide::Func clamp_2d(const Halide::ImageParam &in, int width, int height, const std::string &name);

}  // namespace htune
