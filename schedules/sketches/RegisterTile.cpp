// Register-tile sketches (Ansor's multi-level tiling, on CPU): reductions tiled so that their
// accumulators stay in vector registers, fused inside their pointwise consumer's tile (the
// first sketches) or at the root (the last). The tiles themselves are in SketchParts.h.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "schedules/PipelineAnalysis.h"
#include "schedules/SketchRule.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"
#include "schedules/sketches/SketchParts.h"

namespace htune {

namespace {

// Fused: a reduction Func with one consumer, a pure single-stage root Func, is computed
// inside the consumer's register tile (one vector x u1 rows), its own loops tiled the same
// way. The accumulators are then a small constant-size allocation that LLVM keeps in
// registers; at the root they live in a heap buffer it cannot promote (aliasing).
std::vector<Schedule> fused_register_tiles(const SketchInput &in) {
    const PipelineAnalysis &a = in.space.analysis();
    const Halide::Target &target = in.space.target();
    const Schedule &base = in.heuristic;
    std::vector<Schedule> out;
    for (auto [u0, u1] : std::vector<std::pair<int, int>>{{2, 4}, {4, 2}, {1, 4}, {1, 8}, {2, 2}}) {
        Schedule s = base;
        bool any = false;
        for (const FuncInfo &f : a.funcs()) {
            bool reduction = false;
            for (const auto &stage : f.stages) reduction = reduction || !stage.rvars.empty();
            if (!reduction || f.is_output || f.uses.size() != 1 || f.uses[0].stage != 0) continue;
            const FuncInfo &g = a.func(f.uses[0].consumer);
            if (g.stages.size() != 1 || !g.stages[0].rvars.empty()) continue;
            if (s.funcs.at(g.name).placement != Placement::root) continue;
            auto gt = register_tile(g.stages[0], native_lanes(target, g.type), u0, u1);
            if (!gt) continue;
            std::string tile = tile_loop(g.stages[0], *gt);
            if (tile.empty()) continue;
            auto fs = inside_tile(f.stages, native_lanes(target, f.type), u0, u1, g.name, 0, tile);
            if (!fs) continue;
            s.funcs[g.name].stages = {*gt};
            s.funcs[f.name] = *fs;
            any = true;
        }
        if (any) out.push_back(s);
    }
    return out;
}

// At the root: every stage of each reduction Func register-tiled (where all of them can be),
// one sketch per accumulator tile. These come after every other family: fused, the
// accumulators stay in registers, at the root they do not.
std::vector<Schedule> root_register_tiles(const SketchInput &in) {
    const PipelineAnalysis &a = in.space.analysis();
    const Halide::Target &target = in.space.target();
    const Schedule &base = in.heuristic;
    std::vector<Schedule> out;
    // Accumulator tiles (vectors x rows): 8 to 16 of the 16 vector registers of AVX2/AVX-512.
    const std::vector<std::pair<int, int>> tiles = {{2, 4}, {1, 8}, {4, 2}, {2, 6}, {3, 4}};
    for (auto [u0, u1] : tiles) {
        Schedule s = base;
        bool any = false;
        for (const FuncInfo &f : a.funcs()) {
            bool reduction = false;
            for (const auto &stage : f.stages) reduction = reduction || !stage.rvars.empty();
            if (!reduction) continue;
            FuncSchedule fs;
            fs.placement = Placement::root;
            for (const auto &stage : f.stages) {
                auto st = register_tile(stage, native_lanes(target, f.type), u0, u1);
                if (!st) break;
                fs.stages.push_back(*st);
            }
            if (fs.stages.size() != f.stages.size()) continue;
            s.funcs[f.name] = fs;
            any = true;
        }
        // (The heuristic computes every Func at the root or inline, so no placement names the
        // loops that changed.)
        if (any) out.push_back(s);
    }
    return out;
}

}  // namespace

std::unique_ptr<SketchRule> fused_register_tiles_rule() {
    return make_sketch_rule("fused register tiles", fused_register_tiles);
}
std::unique_ptr<SketchRule> root_register_tiles_rule() {
    return make_sketch_rule("root register tiles", root_register_tiles);
}

}  // namespace htune
