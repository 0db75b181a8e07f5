// Workload = one Algorithm with concrete, validated parameter values: the unit that is tuned,
// measured and stored. Start at `make_workload` (OpRegistry.h) and `Workload::build`.
#pragma once

#include <Halide.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ops/Algorithm.h"
#include "ops/PipelineIO.h"
#include "ops/ReferencePlan.h"

namespace htune {

class Workload {
public:
    // `values` must already be resolved against the algorithm's specs (see resolve_params).
    Workload(AlgorithmPtr algorithm, ParamValues values);

    const std::string &op() const { return op_; }
    const ParamValues &params() const { return values_; }
    const Algorithm &algorithm() const { return *algorithm_; }
    AlgorithmPtr algorithm_ptr() const { return algorithm_; }

    // "matmul:M=1024,N=1024,K=1024".
    std::string canonical() const;
    // The database key: canonical form + "#" + structure hash.
    std::string key() const;
    // Stable hash of the algorithm's structure (cached).
    const std::string &structure_hash() const;

    // A fresh, unscheduled Pipeline (new Funcs every call) in canonical form
    // (CanonicalPipeline.h): Funcs, Vars and RVars carry stable names, and whatever schedule
    // the algorithm's author applied is gone.
    Halide::Pipeline build() const;
    // The pipeline as its author schedules it (Algorithm::build_as_written), Halide's own names
    // and all; an undefined Pipeline when the algorithm has no schedule of its own, or its
    // build applies no directive (has_schedule_directives).
    Halide::Pipeline build_as_written() const;
    // Whether build_as_written() is defined (cached: the check builds the pipeline).
    bool has_own_schedule() const;
    // Shapes of inputs and outputs (cached; from the estimates).
    const PipelineIO &io() const;

    // Deterministic inputs for `seed`, one per io().inputs entry.
    std::vector<Halide::Buffer<>> make_inputs(uint64_t seed) const;
    // Output buffers shaped like io().outputs.
    std::vector<Halide::Buffer<>> make_outputs() const;
    // Runs a freshly built, fully materialized pipeline (every Func compute_root, nothing
    // else: the obviously-correct schedule; Funcs too large for the root are inlined, see
    // reference_plan()) on `inputs`. JIT-compiles for `target`.
    std::vector<Halide::Buffer<>> reference(const std::vector<Halide::Buffer<>> &inputs,
                                            const Halide::Target &target) const;
    // How reference() schedules the pipeline (cached).
    const ReferencePlan &reference_plan() const;
    // A fresh pipeline scheduled as reference() runs it; returns the target to compile it for.
    Halide::Pipeline build_reference(const Halide::Target &target, Halide::Target *reference_target) const;

    // Operations of one run: the workload file's figure, else the algorithm's own, else
    // counted from its definitions (ops/Flops.h, cached); 0 when unknown. flops_source() says
    // which ("workload file", "operator", "counted", "unknown").
    double flops() const;
    std::string flops_source() const;
    void set_flops_override(double flops) { flops_override_ = flops; }
    double flops_override() const { return flops_override_; }
    // Minimum bytes moved: the algorithm's figure, or the total input + output size.
    double min_bytes() const;
    // The rtol of float outputs (Algorithm::tolerance): an element matches when |got - want| <=
    // rtol * (0.1 * the output's largest |want| + |want|), or within 4 ulps (ops/BufferCompare.h).
    double tolerance() const { return algorithm_->tolerance(); }
    // Absolute tolerance of integer outputs: 0 (exact), or 1 when the algorithm converts floats
    // to integers (converts_float_to_int, cached): Halide optimizes float arithmetic
    // differently under different schedules, and a one-ulp difference flips a rounding (seen on
    // a uint16 local Laplacian: every candidate that differed agreed with the reference when
    // both were compiled with strict_float).
    double integer_tolerance() const;

private:
    AlgorithmPtr algorithm_;
    ParamValues values_;
    std::string op_;
    mutable std::string hash_;
    mutable std::unique_ptr<PipelineIO> io_;
    mutable std::unique_ptr<ReferencePlan> plan_;
    double flops_override_ = 0;
    mutable double counted_flops_ = -1;
    mutable int float_to_int_ = -1;
    mutable int own_schedule_ = -1;
};

// Fills `b` with deterministic uniform values in `range` (integers rounded) from `seed`.
void fill_uniform(Halide::Buffer<> &b, ValueRange range, uint64_t seed);

// Realizes `p` into `outputs` after binding `inputs`, JIT-compiled for `target`.
void realize_into(Halide::Pipeline &p, const std::vector<Halide::Buffer<>> &inputs,
                  std::vector<Halide::Buffer<>> &outputs, const Halide::Target &target);

}  // namespace htune
