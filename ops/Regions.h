// Required regions: what every Func and every input buffer of a Pipeline must cover so that
// its outputs can be computed over their estimates (Halide's bounds inference, run on the
// algorithm, consumers first). Used to size inputs (PipelineIO.h), by the schedule space
// (schedules/PipelineAnalysis.h), for the reference's memory plan and for FLOP counts.
#pragma once

#include <Halide.h>

#include <map>
#include <string>
#include <vector>

namespace htune {

struct BufferShape;

// One dimension of a required region; `known` is false where bounds inference gave no
// constant (a data-dependent read that nothing clamps).
struct DimRange {
    bool known = false;
    int64_t min = 0, extent = 0;
};

struct RequiredRegions {
    std::map<std::string, std::vector<DimRange>> funcs;   // Halide Func name -> per arg
    std::map<std::string, std::vector<DimRange>> inputs;  // input buffer name -> per dim
};

// Regions for `outputs` (one shape per output value, in pipeline order, as describe_io gives
// them). Scalar inputs and the fields of input buffers (input.width(), ...) take their
// estimates, so a clamp to an input's edge is a constant bound.
RequiredRegions required_regions(const Halide::Pipeline &p, const std::vector<BufferShape> &outputs);

// `e` with scalar inputs and input buffers' min/extent fields replaced by their estimates.
Halide::Expr with_estimates(const Halide::Expr &e);

}  // namespace htune
