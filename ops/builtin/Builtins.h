// The built-in operator suite, one function per family; each appends OpDefs (OpRegistry.h).
// Conventions: every Func and Var is named explicitly (schedules key on names), inputs are
// ImageParams with estimates, outputs have estimates, boundaries are explicit clamps.
#pragma once

#include <vector>

#include "ops/OpRegistry.h"

namespace htune {

void add_linear_algebra_ops(std::vector<OpDef> &defs);  // matmul
void add_dnn_ops(std::vector<OpDef> &defs);             // conv2d, conv, depthwise, resnet, softmax, layernorm
void add_dnn_layer_ops(std::vector<OpDef> &defs);       // pool, fully_connected, add, attention
void add_image_ops(std::vector<OpDef> &defs);           // blur3x3, harris, ..., then the two below
void add_scan_ops(std::vector<OpDef> &defs);            // iir_blur, histogram_equalize, bilateral_grid
void add_pyramid_ops(std::vector<OpDef> &defs);         // local_laplacian, interpolate

// Clamps `in` (2-D or 3-D) to its estimated extents: in_clamped(x, y[, c]).
Halide::Func clamp_2d(const Halide::ImageParam &in, int width, int height, const std::string &name);

// An input named `name` with estimates [0, extents[d]) on every dimension.
Halide::ImageParam image_param(Halide::Type t, const std::string &name, std::vector<int> extents);

// The DNN layers' activation (DnnLayers.cpp): the `act` parameter (none, relu, relu6, gelu; default
// `def`), the activation of `e`, and its FLOPs per element.
ParamSpec act_param(const std::string &def);
Halide::Expr activate(const Halide::Expr &e, const std::string &act);
double act_flops(const std::string &act);
// Output extent of a convolution along one dimension: 0 when the dilated filter does not fit
// the padded input.
int conv_output_extent(int in, int k, int stride, int pad, int dilation);

// Rec. 601 luma of planar RGB `rgb(x, y, c)`.
Halide::Expr luma(const Halide::Func &rgb, const Halide::Expr &x, const Halide::Expr &y);

}  // namespace htune
