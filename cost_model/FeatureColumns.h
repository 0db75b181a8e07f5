// The featurizer's columns (feature_schema(), Featurizer.h): the per-stage block, the six
// blocks it is repeated in and the global columns, with the indices the code writes them at.
// Internal to cost_model/Featurizer*.cpp. Changing a name, the order or the meaning of a
// column bumps feature_schema()'s version (Featurizer.cpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace htune {
namespace featurizer {

// Per-stage columns, in block order. "log_*" are log2(1 + x).
inline constexpr const char *kStageColumns[] = {
    "placement_inline",  // 1 when the Func is inlined in this schedule (the rest
                         // of the block is 0)
    "placement_root",    // compute_root
    "placement_at",      // compute_at a consumer's loop
    "log_points",        // points computed, all realizations (recomputation included)
    "log_work",          // points * (arithmetic + loads per point, inlined producers
                         // included)
    "log_realizations",  // times the stage's loop nest is entered
    "log_recompute",     // points computed / points required
    "log_points_per_realization",
    "log_padding",          // split loops rounding extents up: padded / true points
    "log_ops_per_point",    // arithmetic per point, inlined producers included
    "log_loads_per_point",  // loads per point, inlined producers included
    "log_arith_per_byte",   // ops per point / bytes per point (output + distinct
                            // inputs)
    "inline_copies",        // inlined producer expressions per point (or, inlined: its
                            // expansion)
    "n_loops",
    "log_inner_extent",  // trip count of the innermost loop
    "inner_stride1",     // the innermost loop runs along the Func's first (dense)
                         // dimension
    "inner_is_rvar", "log_vector_width",
    "vector_vs_native",     // vector width / native lanes of the type (0: not
                            // vectorized)
    "vector_stride1",       // vectorized along the innermost storage dim
    "log_unroll",           // product of unrolled extents
    "log_parallel_own",     // trip count of the stage's own (fused) parallel loop
    "log_parallel_total",   // with the parallel loops it is computed inside
    "parallel_efficiency",  // busy cores / min(threads, physical cores), with the
                            // tail imbalance
    "nested_parallel",      // own parallel loop inside a parallel consumer
    "log_alloc_bytes",      // storage of one realization of the Func
    "alloc_cache_level",    // 0: fits L1, 1: L2, 2: L3, 3: beyond
    "log_footprint_inner",  // bytes touched by one iteration of the innermost
                            // loop's body
    "log_footprint_tile",   // bytes touched by the innermost constant-extent
                            // (tile) loops
    "tile_cache_level",     // cache level the tile footprint fits (as
                            // alloc_cache_level)
    "levels_fit_l1",        // fraction of loop levels whose footprint fits L1
    "levels_fit_l2",
    "log_rvar_extent",  // product of the reduction extents
    "log_time_proxy",   // work / (vector speedup * cores) + overheads: a crude
                        // time
};
inline constexpr int kNumStage = sizeof(kStageColumns) / sizeof(kStageColumns[0]);

inline constexpr const char *kBlocks[] = {"out", "top1", "top2", "top3", "mean", "max"};
inline constexpr int kNumBlocks = sizeof(kBlocks) / sizeof(kBlocks[0]);

inline constexpr const char *kGlobalColumns[] = {
    "log_funcs",
    "log_stages",
    "frac_inline",
    "frac_root",
    "frac_at",
    "log_required_work",
    "log_work",
    "log_points",
    "log_work_ratio",
    "log_alloc_total",
    "log_alloc_max",
    "n_alloc_beyond_l2",
    "n_alloc_beyond_l3",
    "serial_work_frac",
    "vector_work_frac",
    "stride1_work_frac",
    "max_inline_expansion",
    "log_time_proxy",
    "log_threads",
    "native_lanes_f32",
    "log_realizations_total",
    "log_extra_funcs",  // schedule entries that are no Func of the scheduled
                        // pipeline (its rfactor intermediates and wrappers are)
};
inline constexpr int kNumGlobal = sizeof(kGlobalColumns) / sizeof(kGlobalColumns[0]);
inline constexpr int kNumColumns = kNumGlobal + kNumBlocks * kNumStage;

enum StageCol {
    c_inline,
    c_root,
    c_at,
    c_points,
    c_work,
    c_realizations,
    c_recompute,
    c_points_per_real,
    c_padding,
    c_ops,
    c_loads,
    c_arith,
    c_inline_copies,
    c_n_loops,
    c_inner_extent,
    c_inner_stride1,
    c_inner_rvar,
    c_vec_width,
    c_vec_native,
    c_vec_stride1,
    c_unroll,
    c_par_own,
    c_par_total,
    c_par_eff,
    c_nested_par,
    c_alloc,
    c_alloc_level,
    c_fp_inner,
    c_fp_tile,
    c_tile_level,
    c_fit_l1,
    c_fit_l2,
    c_rvar_extent,
    c_time_proxy,
};
static_assert(c_time_proxy + 1 == kNumStage, "StageCol must list kStageColumns");

// "g.<global>" for every global column, then "<block>.<stage column>" per block.
std::vector<std::string> column_names();

// log2(1 + x), 0 for x <= 0: what every "log_*" column holds.
inline double lg(double x) { return std::log2(1.0 + std::max(0.0, x)); }

}  // namespace featurizer
}  // namespace htune
