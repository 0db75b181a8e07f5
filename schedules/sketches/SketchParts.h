// The parts the sketch families (schedules/sketches/*.cpp) and the heuristic build schedules
// from: placements, stage facts, and the register tiles that the register-tile and rfactor
// families share. Internal to schedules/.
#pragma once

#include <Halide.h>

#include <optional>
#include <string>
#include <vector>

#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/Schedule.h"

namespace htune {

// A stage dim's estimated extent; 1 when bounds inference gave none.
int extent_of(const StageInfo &stage, const std::string &v);

// Cheap enough to recompute at every use: few arithmetic ops and loads per point.
bool is_cheap(const FuncInfo &f);

// Computed inside loop `loop` of stage `stage` of `func` and stored at `store` ("" = the same
// loop); the caller gives it stages.
FuncSchedule computed_at(const std::string &func, int stage, const std::string &loop,
                         const std::string &store = "");

// Inlined into its consumers (no loops of its own).
FuncSchedule inlined();

// The parallel loops of a tiled stage: its outermost loop, fused with the next one in when
// the outermost is short for the cores (outer: pure loops outside the tile, innermost first).
std::vector<std::string> outer_parallel(const LoopNest &nest, const std::vector<std::string> &outer);

// A register tile for a stage of a reduction Func (Ansor's multi-level tiling sketch, on CPU):
// the innermost pure var vectorized at native width and split again by u0 (unrolled), the next
// pure var split by u1 (unrolled), the reduction loops outside those, then the outer tile loops,
// parallel outermost. u0 * u1 accumulator vectors stay in registers across the reduction.
// Empty when the stage has no vectorizable innermost var.
std::optional<StageSchedule> register_tile(const StageInfo &stage, int lanes, int u0, int u1);

// The innermost pure loop of a register-tiled stage outside its tile (vector and unrolled
// loops): where a Func computed inside the tile goes. "" when there is none or it is parallel.
std::string tile_loop(const StageInfo &stage, const StageSchedule &st);

// Stages computed inside a consumer's u0 x u1 register tile, at `at`: each tiled one vector x
// u1 rows, with the vector var's outer loop (the tile's u0 vectors) inside the reduction loops,
// so all u0 x u1 accumulators are live at once. Empty when a stage cannot be tiled.
std::optional<FuncSchedule> inside_tile(const std::vector<StageInfo> &stages, int lanes, int u0, int u1,
                                        const std::string &at_func, int at_stage, const std::string &at);

}  // namespace htune
