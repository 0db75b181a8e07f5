// ScheduleSpace: the schedule space of ANY pipeline, derived from its structure (Funcs,
// stages, RDoms, call graph, estimated extents). sample / mutate / validate / heuristic.
#pragma once

#include <Halide.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ops/Workload.h"
#include "schedules/Schedule.h"

namespace htune {

class PipelineAnalysis;  // schedules/PipelineAnalysis.h

class ScheduleSpace {
public:
    ScheduleSpace(const Workload &w, const Halide::Target &target);
    ~ScheduleSpace();

    // A random valid schedule.
    Schedule sample(std::mt19937_64 &rng) const;
    // One random change (a tile factor, a placement, the vector width, the parallel loops, the
    // unrolling, a split's tail strategy, a storage order, or a private copy of a Func for one of
    // its consumers added or dropped) of a valid schedule; the result is valid.
    Schedule mutate(const Schedule &s, std::mt19937_64 &rng) const;
    // "" when `s` is valid for this pipeline, else the reason ("blur_x: at_loop 'y_o' is not a
    // loop of blur_y").
    std::string validate(const Schedule &s) const;
    // What a competent Halide engineer writes in five minutes.
    Schedule heuristic() const;
    // Search starting points beyond the heuristic (Ansor's sketches), each the heuristic with
    // one idea applied, in this order: reductions register-tiled inside their pointwise
    // consumer's tile (fused); rfactor'd into an intermediate inside the Func's own tile,
    // cache-blocked and not; scatter updates as independent unrolled chains; producers that
    // feed only the output in sliding windows over its rows; multi-scale pyramids (resampling
    // helpers inlined, the output's levels per output row); scatter updates computed per row
    // of their one consumer (on the heuristic and on each sketch before); gathers across a
    // small dim vectorized along it, with that dim innermost in storage (on the heuristic and
    // on each sketch before); inlined Funcs that a stencil consumer recomputes given a private
    // copy (Func::in) per tile of that consumer (on the heuristic and on each sketch before);
    // reductions register-tiled at the root. Valid and distinct; empty when none of
    // these applies (no reduction and no root producer chain). Each family is a SketchRule
    // (schedules/SketchRule.h), listed in schedules/Sketches.cpp.
    std::vector<Schedule> sketches() const;
    // log10 of the number of distinct schedules in the space (a lower bound).
    double log10_size() const;

    const PipelineAnalysis &analysis() const { return *analysis_; }
    const Halide::Target &target() const { return target_; }

private:
    std::unique_ptr<PipelineAnalysis> analysis_;
    Halide::Target target_;
};

}  // namespace htune
