// The featurizer's model of what a schedule makes Halide execute, shared by its parts
// (internal to cost_model/Featurizer*.cpp and the files below; the API is Featurizer.h):
//
//   Featurizer.cpp      the public API, feature_schema(), and the scheduled pipeline of a schedule
//                       that rfactors or wraps Funcs (one Static per pipeline structure, cached)
//   FeaturizerStatic.cpp  per-pipeline precomputation: Funcs, stages, producers, the fixed blocks
//   Composition.cpp     placements, inlining (expansion, folded per-point cost), compute_at and
//                       store_at regions and realizations: the FuncDyn of every Func
//   StageLoops.cpp      the loops of one stage per realization (schedules/Loops.h's loop_nest),
//                       vector width, unrolling and the fused parallel loop
//   StageFeatures.cpp   one stage's block of columns: work, loops, vectors, threads, footprints
//                       against the caches, and the time proxy
//   FeatureRow.cpp      the row: every stage's block, the fixed and mean/max blocks, the globals
//   FeatureColumns.h/.cpp  the column names and indices
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "cost_model/Featurizer.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/Schedule.h"

namespace htune {
namespace featurizer {

// What a stage is, independent of the schedule.
struct StageStatic {
    int func = 0, index = 0;
    const StageInfo *info = nullptr;
    std::vector<bool> dim_rvar;       // per default_order dim (innermost first)
    std::vector<double> full_extent;  // per dim
    double required_points = 1, static_work = 0;
    std::vector<std::pair<int, int>> producers;  // (func, call sites) called by this stage
    double distinct_inputs = 0;                  // producer Funcs + inputs (1 if any)
    std::vector<int> dim_arg;                    // per dim: the Func arg it is, -1 for RVars
};

struct FuncStatic {
    const FuncInfo *info = nullptr;
    double bytes_per_point = 4;
    int lanes = 1;
    std::vector<int> stages;                          // indices into Static::stages
    std::vector<std::pair<int, int>> consumer_calls;  // (consumer Func, call sites) per use
};

// The loop of one stage after splits, order and parallel fusion, with its trip count per
// realization of the stage.
struct Loop {
    std::string name;
    int dim = -1;  // index into the stage's dims; -1 for the fused parallel loop
    double trip = 1;
    bool constant = false;
};

// What a schedule makes of a stage.
struct StageDyn {
    std::vector<Loop> loops;  // innermost first
    double realizations = 1, points = 0, padded_ratio = 1, par_total = 1, par_own = 1;
    double per_real_points = 1, ops = 0, loads = 0, inline_copies = 0;
    double vec_width = 0, unroll = 1;  // 0: not vectorized
    bool vec_dense = false;            // vectorized along the Func's innermost storage dim
};

// What a schedule makes of a Func.
struct FuncDyn {
    Placement placement = Placement::root;
    std::string innermost;       // innermost storage dim ("": the first arg)
    std::vector<double> region;  // per arg, per realization (storage level when sliding)
    double realizations = 1, alloc_bytes = 0;
    std::vector<StageDyn> stages;
    double expansion = 1;               // inlined: copies per point of non-inlined consumers
    double eff_ops = 0, eff_loads = 0;  // inlined: per-point cost folded into consumers
    double inline_copies = 0;           // inlined: producer copies folded into it
};

}  // namespace featurizer

struct Featurizer::Static {
    using StageStatic = featurizer::StageStatic;
    using FuncStatic = featurizer::FuncStatic;
    using StageDyn = featurizer::StageDyn;
    using FuncDyn = featurizer::FuncDyn;

    std::shared_ptr<const PipelineAnalysis> analysis;
    Halide::Target target;
    int threads = 1;
    // Threads that run at once: one per physical core (an SMT sibling or an
    // oversubscribed thread adds little), so min(threads, cores).
    int units = 1;
    MachineCaches caches;
    double l1 = 0, l2 = 0, l3 = 0;  // caches' sizes, bytes
    int lanes_f32 = 8;
    std::vector<FuncStatic> funcs;  // producers first (analysis order)
    std::vector<StageStatic> stages;
    std::map<std::string, int> index;
    int block_stage[4] = {-1, -1, -1, -1};  // out, top1..top3 (stage indices)
    double required_work = 0;

    // FeaturizerStatic.cpp
    Static(std::shared_ptr<const PipelineAnalysis> a, const Halide::Target &target, int thr,
           const MachineCaches &c);
    // 0: fits L1, 1: L2, 2: L3, 3: beyond.
    int cache_level(double bytes) const { return bytes <= l1 ? 0 : bytes <= l2 ? 1 : bytes <= l3 ? 2 : 3; }

    // Featurizer.cpp: the row of `s` as the pipeline it schedules: a schedule that rfactors
    // stages or wraps Funcs (Func::in) is featurized against the pipeline with those
    // intermediates and wrappers as Funcs of their own (EffectiveAnalysis, the analysis the
    // space validates it against).
    // With `stages`, it also receives one block per computed stage (Featurizer::stage_features).
    std::vector<float> scheduled_features(const Schedule &s, std::vector<float> *stages = nullptr) const;
    // FeatureRow.cpp: the row of `s` against this pipeline as it is (and `stages` as above).
    std::vector<float> features(const Schedule &s, std::vector<float> *stages = nullptr) const;
    // Composition.cpp: what `s` makes of every Func (index order).
    std::vector<FuncDyn> compose(const Schedule &s) const;
    // StageLoops.cpp: the loops (innermost first) of one stage with per-realization dim
    // extents `extent`, and what `st` does with them.
    void build_loops(const FuncDyn &fd, const FuncStatic &fs, const StageStatic &ss, const StageSchedule &st,
                     const std::vector<double> &extent, StageDyn &out) const;
    // StageFeatures.cpp: the block of columns of one stage (all 0 but the inline ones for an
    // inlined Func).
    void stage_row(const std::vector<FuncDyn> &dyn, const StageStatic &ss, float *row) const;

private:
    // Statics of the scheduled pipelines seen so far, by their structure (which stages are
    // rfactor'd how, which Funcs are wrapped for whom); built once each, shared by copies.
    mutable std::mutex scheduled_mutex;
    mutable std::map<std::string, std::shared_ptr<const Static>> scheduled;
};

}  // namespace htune
