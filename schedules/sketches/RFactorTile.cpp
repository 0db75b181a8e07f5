// rfactor-tile sketches: a reduction with no pointwise consumer to hide in (matmul's output)
// rfactor'd into an intermediate computed inside its own register tile, cache-blocked or not.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/RFactor.h"
#include "schedules/SketchRule.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"
#include "schedules/sketches/SketchParts.h"

namespace htune {

namespace {

// A cache-blocked register tile (for a merge stage whose reduction sits in an intermediate
// computed inside the tile): x split {bx, lanes * u0} with the inner loop vectorized at
// lanes * u0, y split {by, u1} with the inner loop unrolled, then the tile loops inside the
// block (x_m, y_m), the reduction loops, the block loops (x_o, y_o), other dims; parallel
// outermost. bx and by shrink to fit the extents; empty when a block would hold fewer than
// two tiles in either dimension.
std::optional<StageSchedule> blocked_tile(const StageInfo &stage, int lanes, int u0, int u1, int bx, int by) {
    auto ext = [&](const std::string &v) { return extent_of(stage, v); };
    const auto &pv = stage.pure_vars;
    if (pv.size() < 2 || lanes < 2) return std::nullopt;
    const std::string &x = pv[0], &y = pv[1];
    const int tx = lanes * u0;
    bx = std::min(bx, ext(x)) / tx * tx;
    by = std::min(by, ext(y)) / u1 * u1;
    if (bx < 2 * tx || by < 2 * u1) return std::nullopt;
    StageSchedule st;
    st.splits = {{x, {bx, tx}}, {y, {by, u1}}};
    auto nx = split_loop_names(x, 2), ny = split_loop_names(y, 2);
    st.vectorize = nx[2];
    st.unroll = {ny[2]};
    LoopNest nest = loop_nest(stage, st);  // default order: every loop
    st.order = {nx[2], ny[2], nx[1], ny[1]};
    std::vector<std::string> rv, outer;
    for (const auto &l : nest.loops) {
        if (std::find(st.order.begin(), st.order.end(), l) != st.order.end()) continue;
        (nest.is_rvar(l) ? rv : outer).push_back(l);
    }
    st.order.insert(st.order.end(), rv.begin(), rv.end());
    st.order.insert(st.order.end(), outer.begin(), outer.end());
    st.parallel = outer_parallel(nest, outer);
    return st;
}

// rfactor'd: a reduction whose Func has no pointwise consumer to hide in (matmul's output)
// keeps its accumulators in its own buffer. rfactor moves the reduction into an
// intermediate (splitting its outermost RVar, the kept outer part becoming the
// intermediate's pure var), which is then computed inside the Func's register tile like
// the fused sketches; the merge only adds the parts.
//   Unblocked (kb == 0): the RVar split in two halves, the merge's tiles walk whole rows.
//   Cache-blocked (Ansor's SSRSRS multi-level tiling, on CPU): the RVar split in blocks of
// kb, and the merge's tiles grouped in bx x by blocks with the kept reduction loop between
// the tiles and the blocks, so one block's operands (kb x bx and by x kb of matmul's B and
// A) stay in L2 while all of its tiles reuse them, instead of streaming from L3 per tile.
std::vector<Schedule> rfactor_tiles(const SketchInput &in) {
    const PipelineAnalysis &a = in.space.analysis();
    const Halide::Target &target = in.space.target();
    const Schedule &base = in.heuristic;
    std::vector<Schedule> out;
    struct RfShape {
        int u0, u1, kb, bx, by;
    };
    std::vector<RfShape> rf_shapes = {{2, 4, 256, 128, 64}, {1, 8, 256, 128, 64}, {2, 4, 128, 256, 32},
                                      {4, 2, 256, 128, 64}, {2, 4, 0, 0, 0},      {4, 2, 0, 0, 0},
                                      {1, 8, 0, 0, 0}};
    // AVX-512 has 32 vector registers: larger tiles (16 accumulators) fit with room to spare.
    if (target.has_feature(Halide::Target::AVX512))
        rf_shapes.insert(rf_shapes.begin(), {{2, 8, 256, 128, 64}, {4, 4, 256, 128, 64}});
    for (const RfShape &sh : rf_shapes) {
        Schedule s = base;
        bool any = false;
        for (const FuncInfo &f : a.funcs()) {
            if (s.funcs.at(f.name).placement != Placement::root || f.stages.size() != 2) continue;
            const StageInfo &upd = f.stages[1];
            if (!can_rfactor(upd)) continue;
            std::vector<RFactor> choices = rfactor_choices(f, upd);
            if (choices.empty()) continue;
            const std::string rv = upd.rvars.back();
            int e = upd.extent.count(rv) ? upd.extent.at(rv) : 0;
            if (e < 4 || e % 2 != 0) continue;
            int kb = e / 2;
            if (sh.kb > 0) {  // blocks of kb, at least two of them, dividing the extent
                kb = std::min(sh.kb, e / 2);
                while (kb > 1 && e % kb != 0) kb /= 2;
                if (kb < 4) continue;
            }
            RFactor rf{rv, kb, split_loop_names(rv, 1).front(), choices.front().var};
            if (!validate_rfactor(f, upd, rf).empty()) continue;
            const int lanes = native_lanes(target, f.type);
            StageInfo merge = rfactor_merge_stage(f, upd, rf);
            auto init = register_tile(f.stages[0], lanes, sh.u0, sh.u1);
            auto mt = sh.kb > 0 ? blocked_tile(merge, lanes, sh.u0, sh.u1, sh.bx, sh.by)
                                : register_tile(merge, lanes, sh.u0, sh.u1);
            if (!init || !mt) continue;
            std::string tile = tile_loop(merge, *mt);
            if (tile.empty()) continue;
            mt->rfactor = rf;
            FuncInfo g = rfactor_intermediate(f, upd, rf);
            auto gs = inside_tile(g.stages, lanes, sh.u0, sh.u1, f.name, 1, tile);
            if (!gs) continue;
            FuncSchedule fs;
            fs.placement = Placement::root;
            fs.stages = {*init, *mt};
            s.funcs[f.name] = fs;
            s.funcs[g.name] = *gs;
            any = true;
        }
        if (any) out.push_back(s);
    }
    return out;
}

}  // namespace

std::unique_ptr<SketchRule> rfactor_tiles_rule() { return make_sketch_rule("rfactor tiles", rfactor_tiles); }

}  // namespace htune
