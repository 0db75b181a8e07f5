// The heuristic schedule: what a competent Halide engineer writes in five minutes, for any
// pipeline: compute_root the expensive stages (reductions, reused stencils, shared inputs),
// inline cheap single-use pointwise stages, 2-D tiles of each root stage, vectorize the
// innermost dimension at native width, parallel over the outer tile rows.
#include <algorithm>
#include <optional>
#include <set>

#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/RFactor.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"
#include "schedules/Wrappers.h"

namespace htune {

namespace {

// Arithmetic per point (own definition) above which an inlined Func recomputed by a stencil
// consumer is worth a private copy (wrap_recomputed_inlines); below it the copy's loads and
// stores cost more than the recomputation.
constexpr double kMinWrapOps = 8;

// A stage dim's estimated extent; 1 when bounds inference gave none.
int extent_of(const StageInfo &stage, const std::string &v) {
    auto it = stage.extent.find(v);
    return it != stage.extent.end() ? it->second : 1;
}

// The parallel loops of a tiled stage: its outermost loop, fused with the next one in when
// the outermost is short for the cores (outer: pure loops outside the tile, innermost first).
std::vector<std::string> outer_parallel(const LoopNest &nest, const std::vector<std::string> &outer) {
    if (outer.size() >= 2 && nest.extent.at(outer.back()) < 8) return {outer[outer.size() - 2], outer.back()};
    return {outer.back()};
}

// An update stage that writes a data-dependent coordinate (a histogram): it has RVars and
// fewer pure vars than the Func has args.
bool is_scatter(const FuncInfo &f, const StageInfo &stage) {
    return !stage.rvars.empty() && stage.pure_vars.size() < f.args.size();
}

// Extents of the same resolution but for halos (a resampling step changes them 2x): within
// 1.5x of each other.
bool same_scale(int a, int b) { return std::max(a, b) < 1.5 * std::max(1, std::min(a, b)); }

// Cheap enough to recompute at every use: few arithmetic ops and loads per point.
bool is_cheap(const FuncInfo &f) { return f.stages[0].ops_per_point + f.stages[0].loads_per_point <= 16; }

// Computed inside loop `loop` of stage `stage` of `func` and stored at `store` ("" = the same
// loop); the caller gives it stages.
FuncSchedule computed_at(const std::string &func, int stage, const std::string &loop,
                         const std::string &store = "") {
    FuncSchedule fs;
    fs.placement = Placement::at;
    fs.at_func = func;
    fs.at_stage = stage;
    fs.at_loop = loop;
    fs.store_loop = store;
    return fs;
}

// Inlined into its consumers (no loops of its own).
FuncSchedule inlined() {
    FuncSchedule fs;
    fs.placement = Placement::inline_;
    return fs;
}

// A pure definition in Halide's default loop order but for its innermost var split by the
// native vector width and vectorized, where it is that long (a producer computed inside a
// consumer's loops).
StageSchedule vectorized_innermost(const FuncInfo &f, const Halide::Target &target) {
    StageSchedule st;
    const int lanes = native_lanes(target, f.type);
    const StageInfo &d = f.stages[0];
    if (d.pure_vars.empty() || lanes < 2 || extent_of(d, d.pure_vars[0]) < lanes) return st;
    st.splits = {{d.pure_vars[0], {lanes}}};
    st.vectorize = split_loop_names(d.pure_vars[0], 1).back();
    return st;
}

// The small dims (extent 2 to 4) among `vars`, each split in `st` by its whole extent so that
// its inner loop is constant and can be unrolled; the rest of `vars` in order.
struct SmallDims {
    std::vector<std::string> inner, outer, rest;  // inner/outer: the splits' loops
};
SmallDims split_small_dims(const StageInfo &stage, const std::vector<std::string> &vars, StageSchedule &st) {
    SmallDims d;
    for (const auto &v : vars) {
        int e = extent_of(stage, v);
        if (e < 2 || e > 4) {
            d.rest.push_back(v);
            continue;
        }
        st.splits.push_back({v, {e}});
        auto n = split_loop_names(v, 1);
        d.outer.push_back(n[0]);
        d.inner.push_back(n[1]);
    }
    return d;
}

StageSchedule heuristic_stage(const FuncInfo &f, const StageInfo &stage, const Halide::Target &target) {
    StageSchedule st;
    const int lanes = native_lanes(target, f.type);
    auto ext = [&](const std::string &v) { return extent_of(stage, v); };
    const auto &pv = stage.pure_vars;
    std::string x = pv.size() > 0 ? pv[0] : "", y = pv.size() > 1 ? pv[1] : "";
    std::vector<std::string> order;
    // x: vectorize at native width, inside a tile of up to 64.
    bool vec = !x.empty() && ext(x) >= lanes && lanes >= 2;
    bool tile_y = !y.empty() && ext(y) >= 16;
    if (vec) {
        int tile = std::min(64, ext(x)) / lanes * lanes;
        if (tile > lanes && tile % lanes == 0) {
            tile = 1 << (31 - __builtin_clz((unsigned)tile));  // power of two
            if (tile > lanes)
                st.splits.push_back({x, {tile, lanes}});
            else
                st.splits.push_back({x, {lanes}});
        } else {
            st.splits.push_back({x, {lanes}});
        }
    }
    if (tile_y) st.splits.push_back({y, {std::min(16, ext(y)) >= 16 ? 16 : 8}});
    LoopNest nest = loop_nest(stage, st);
    // Order: vector loop, tile-inner loops, reductions, tile-outer loops, other dims.
    std::vector<std::string> inner, rv, outer;
    for (const auto &l : nest.loops) {
        if (nest.is_rvar(l))
            rv.push_back(l);
        else if (nest.constant.count(l))
            inner.push_back(l);
        else
            outer.push_back(l);
    }
    std::string vloop = vec ? split_loop_names(x, 1).back() : "";
    if (vec) order.push_back(vloop);
    for (const auto &l : inner)
        if (l != vloop) order.push_back(l);
    order.insert(order.end(), rv.begin(), rv.end());
    order.insert(order.end(), outer.begin(), outer.end());
    st.order = order;
    if (vec) st.vectorize = vloop;
    // Parallel: the outermost pure loop; fuse with the next when it is short for the cores.
    if (!order.empty() && !nest.is_rvar(order.back()) && order.back() != vloop &&
        !nest.constant.count(order.back())) {
        st.parallel = {order.back()};
        if (order.size() >= 2 && nest.extent.at(order.back()) < 8) {
            const std::string &next = order[order.size() - 2];
            if (!nest.is_rvar(next) && next != vloop && !nest.constant.count(next))
                st.parallel = {next, order.back()};
        }
    }
    return st;
}

// A register tile for a stage of a reduction Func (Ansor's multi-level tiling sketch, on CPU):
// the innermost pure var vectorized at native width and split again by u0 (unrolled), the next
// pure var split by u1 (unrolled), the reduction loops outside those, then the outer tile loops,
// parallel outermost. u0 * u1 accumulator vectors stay in registers across the reduction.
// Empty when the stage has no vectorizable innermost var.
std::optional<StageSchedule> register_tile(const StageInfo &stage, int lanes, int u0, int u1) {
    auto ext = [&](const std::string &v) { return extent_of(stage, v); };
    const auto &pv = stage.pure_vars;
    if (pv.empty() || lanes < 2 || ext(pv[0]) < lanes) return std::nullopt;
    StageSchedule st;
    const std::string &x = pv[0];
    while (u0 > 1 && lanes * u0 > ext(x)) u0 /= 2;
    if (u0 > 1)
        st.splits.push_back({x, {lanes * u0, lanes}});
    else
        st.splits.push_back({x, {lanes}});
    if (pv.size() > 1 && u1 > 1 && ext(pv[1]) >= u1) st.splits.push_back({pv[1], {u1}});
    LoopNest nest = loop_nest(stage, st);
    std::vector<std::string> inner, rv, outer;
    for (const auto &l : nest.loops) {
        if (nest.is_rvar(l))
            rv.push_back(l);
        else if (nest.constant.count(l))
            inner.push_back(l);
        else
            outer.push_back(l);
    }
    st.vectorize = split_loop_names(x, st.splits[0].factors.size()).back();
    st.order = {st.vectorize};
    for (const auto &l : inner)
        if (l != st.vectorize) {
            st.order.push_back(l);
            st.unroll.push_back(l);
        }
    st.order.insert(st.order.end(), rv.begin(), rv.end());
    st.order.insert(st.order.end(), outer.begin(), outer.end());
    if (!outer.empty()) {
        st.parallel = outer_parallel(nest, outer);
    }
    return st;
}

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

// The innermost pure loop of a register-tiled stage outside its tile (vector and unrolled
// loops): where a Func computed inside the tile goes. "" when there is none or it is parallel.
std::string tile_loop(const StageInfo &stage, const StageSchedule &st) {
    for (const auto &l : st.order) {
        if (l == st.vectorize || std::find(st.unroll.begin(), st.unroll.end(), l) != st.unroll.end() ||
            stage.is_rvar(l))
            continue;
        return std::find(st.parallel.begin(), st.parallel.end(), l) != st.parallel.end() ? "" : l;
    }
    return "";
}

// Stages computed inside a consumer's u0 x u1 register tile, at `at`: each tiled one vector x
// u1 rows, with the vector var's outer loop (the tile's u0 vectors) inside the reduction loops,
// so all u0 x u1 accumulators are live at once. Empty when a stage cannot be tiled.
std::optional<FuncSchedule> inside_tile(const std::vector<StageInfo> &stages, int lanes, int u0, int u1,
                                        const std::string &at_func, int at_stage, const std::string &at) {
    FuncSchedule fs = computed_at(at_func, at_stage, at);
    for (const auto &stage : stages) {
        auto st = register_tile(stage, lanes, 1, u1);
        if (!st) return std::nullopt;
        st->parallel.clear();
        if (u0 > 1) {
            std::string outer = split_loop_names(stage.pure_vars[0], 1).front();
            auto it = std::find(st->order.begin(), st->order.end(), outer);
            if (it != st->order.end()) {
                st->order.erase(it);
                st->order.insert(st->order.begin() + 1, outer);
            }
        }
        fs.stages.push_back(*st);
    }
    return fs;
}

// An inlined Func f with arithmetic and several consumers, one of which C is computed at a
// loop L of some Func and reads f at several points (a stencil: apps/local_laplacian's
// downsampling of its remapped level 0, which evaluates an exp per tap) recomputes f per tap.
// f cannot be computed at L (its other consumers are elsewhere), but a private copy of f for
// C (Func::in) can: computed at L too, vectorized along f's first dim, it evaluates f once
// per point of C's tile. Applied to every such (f, C); nullopt when there is none.
std::optional<Schedule> wrap_recomputed_inlines(const PipelineAnalysis &a, const Halide::Target &target,
                                                const Schedule &base) {
    Schedule s = base;
    bool any = false;
    for (const FuncInfo &f : a.funcs()) {
        auto fit = s.funcs.find(f.name);
        if (fit == s.funcs.end() || fit->second.placement != Placement::inline_ || !fit->second.wrap.empty())
            continue;
        if (f.stages[0].ops_per_point < kMinWrapOps || f.args.empty()) continue;
        std::set<std::string> consumers;
        for (const Use &u : f.uses) consumers.insert(u.consumer);
        if (consumers.size() < 2) continue;
        for (const std::string &g : consumers) {
            int calls = 0;
            for (const Use &u : f.uses)
                if (u.consumer == g) calls += u.calls;
            auto git = s.funcs.find(g);
            if (calls < 2 || git == s.funcs.end() || git->second.placement != Placement::at) continue;
            const FuncSchedule gs = git->second;
            s.funcs[f.name].wrap.push_back(g);
            FuncSchedule ws = computed_at(gs.at_func, gs.at_stage, gs.at_loop);
            StageSchedule st;
            const std::string &x = f.args[0];
            const int lanes = native_lanes(target, f.type);
            if (lanes >= 2 && extent_of(f.stages[0], x) >= lanes) {
                st.splits = {{x, {lanes}}};
                auto names = split_loop_names(x, 1);
                st.vectorize = names[1];
                st.order = {names[1], names[0]};
                st.order.insert(st.order.end(), f.args.begin() + 1, f.args.end());
            }
            ws.stages = {st};
            s.funcs[wrapper_func_name(f.name, g)] = ws;
            any = true;
        }
    }
    if (!any) return std::nullopt;
    return s;
}

}  // namespace

std::vector<Schedule> ScheduleSpace::sketches() const {
    // Accumulator tiles (vectors x rows): 8 to 16 of the 16 vector registers of AVX2/AVX-512.
    const std::vector<std::pair<int, int>> tiles = {{2, 4}, {1, 8}, {4, 2}, {2, 6}, {3, 4}};
    std::vector<Schedule> out, root;  // fused first (they keep their accumulators in registers)
    std::set<std::string> seen;
    Schedule base = heuristic();
    for (auto [u0, u1] : tiles) {
        Schedule s = base;
        bool any = false;
        for (const FuncInfo &f : analysis_->funcs()) {
            bool reduction = false;
            for (const auto &stage : f.stages) reduction = reduction || !stage.rvars.empty();
            if (!reduction) continue;
            FuncSchedule fs;
            fs.placement = Placement::root;
            for (const auto &stage : f.stages) {
                auto st = register_tile(stage, native_lanes(target_, f.type), u0, u1);
                if (!st) break;
                fs.stages.push_back(*st);
            }
            if (fs.stages.size() != f.stages.size()) continue;
            s.funcs[f.name] = fs;
            any = true;
        }
        // (The heuristic computes every Func at the root or inline, so no placement names the
        // loops that changed.)
        if (any && validate(s).empty() && seen.insert(schedule_hash(s)).second) root.push_back(s);
    }
    // Fused: a reduction Func with one consumer, a pure single-stage root Func, is computed
    // inside the consumer's register tile (one vector x u1 rows), its own loops tiled the same
    // way. The accumulators are then a small constant-size allocation that LLVM keeps in
    // registers; at the root they live in a heap buffer it cannot promote (aliasing).
    for (auto [u0, u1] : std::vector<std::pair<int, int>>{{2, 4}, {4, 2}, {1, 4}, {1, 8}, {2, 2}}) {
        Schedule s = base;
        bool any = false;
        for (const FuncInfo &f : analysis_->funcs()) {
            bool reduction = false;
            for (const auto &stage : f.stages) reduction = reduction || !stage.rvars.empty();
            if (!reduction || f.is_output || f.uses.size() != 1 || f.uses[0].stage != 0) continue;
            const FuncInfo &g = analysis_->func(f.uses[0].consumer);
            if (g.stages.size() != 1 || !g.stages[0].rvars.empty()) continue;
            if (s.funcs.at(g.name).placement != Placement::root) continue;
            auto gt = register_tile(g.stages[0], native_lanes(target_, g.type), u0, u1);
            if (!gt) continue;
            std::string tile = tile_loop(g.stages[0], *gt);
            if (tile.empty()) continue;
            auto fs = inside_tile(f.stages, native_lanes(target_, f.type), u0, u1, g.name, 0, tile);
            if (!fs) continue;
            s.funcs[g.name].stages = {*gt};
            s.funcs[f.name] = *fs;
            any = true;
        }
        if (any && validate(s).empty() && seen.insert(schedule_hash(s)).second) out.push_back(s);
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
    struct RfShape {
        int u0, u1, kb, bx, by;
    };
    std::vector<RfShape> rf_shapes = {{2, 4, 256, 128, 64}, {1, 8, 256, 128, 64}, {2, 4, 128, 256, 32},
                                      {4, 2, 256, 128, 64}, {2, 4, 0, 0, 0},      {4, 2, 0, 0, 0},
                                      {1, 8, 0, 0, 0}};
    // AVX-512 has 32 vector registers: larger tiles (16 accumulators) fit with room to spare.
    if (target_.has_feature(Halide::Target::AVX512))
        rf_shapes.insert(rf_shapes.begin(), {{2, 8, 256, 128, 64}, {4, 4, 256, 128, 64}});
    for (const RfShape &sh : rf_shapes) {
        Schedule s = base;
        bool any = false;
        for (const FuncInfo &f : analysis_->funcs()) {
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
            const int lanes = native_lanes(target_, f.type);
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
        if (any && validate(s).empty() && seen.insert(schedule_hash(s)).second) out.push_back(s);
    }
    // Scatter: an update that writes a data-dependent coordinate (a histogram: fewer pure vars
    // than the Func has args) is a read-modify-write through memory, and consecutive
    // iterations of its reduction usually hit the same bin, so at the heuristic's order (a
    // vectorized pure var, reductions outside) it is a chain of store-to-load forwards with
    // gathers. These tiles make u independent chains instead: the innermost pure var split by
    // u and unrolled inside the reduction loops (small pure dims, extent 2 to 4, split by their
    // extent and unrolled inside that), no vector loop, the outermost pure loop parallel.
    for (int u : {4, 8, 2}) {
        Schedule s = base;
        bool any = false;
        for (const FuncInfo &f : analysis_->funcs()) {
            if (s.funcs.at(f.name).placement != Placement::root) continue;
            for (size_t i = 1; i < f.stages.size(); i++) {
                const StageInfo &stage = f.stages[i];
                if (!is_scatter(f, stage)) continue;
                auto ext = [&](const std::string &v) { return extent_of(stage, v); };
                std::string x;
                for (const auto &v : stage.pure_vars)
                    if (ext(v) >= 2 * u) {
                        x = v;
                        break;
                    }
                if (x.empty()) continue;
                StageSchedule st;
                std::vector<std::string> others;
                for (const auto &v : stage.pure_vars)
                    if (v != x) others.push_back(v);
                const std::vector<std::string> small = split_small_dims(stage, others, st).inner;
                st.splits.push_back({x, {u}});
                auto nx = split_loop_names(x, 1);
                LoopNest nest = loop_nest(stage, st);
                std::vector<std::string> rv, outer, trivial;  // trivial: the small dims' outer loops
                for (const auto &l : nest.loops) {
                    if (l == nx[1] || std::find(small.begin(), small.end(), l) != small.end()) continue;
                    if (nest.is_rvar(l))
                        rv.push_back(l);
                    else if (nest.extent.at(l) <= 1)
                        trivial.push_back(l);
                    else
                        outer.push_back(l);
                }
                if (outer.empty()) continue;
                st.order = small;
                st.order.push_back(nx[1]);
                st.unroll = st.order;
                st.order.insert(st.order.end(), rv.begin(), rv.end());
                st.order.insert(st.order.end(), outer.begin(), outer.end() - 1);
                st.order.insert(st.order.end(), trivial.begin(), trivial.end());
                st.order.push_back(outer.back());
                st.parallel = {outer.back()};
                s.funcs[f.name].stages[i] = st;
                any = true;
            }
        }
        if (any && validate(s).empty() && seen.insert(schedule_hash(s)).second) out.push_back(s);
    }
    // Sliding-window chains (apps/stencil_chain's hand schedule): the producers that only feed
    // the output, directly or through each other (pure single-stage Funcs the heuristic
    // computes at the root), are stored per column strip of the output (x_o) and computed per
    // output row (y_i), so each keeps a few rows of a strip in L1/L2 and Halide's sliding
    // window computes every row once; the output is tiled tx x ty (256x64, 128x32, 512x128),
    // its row tiles parallel, its small further dims (channels) inside the row loop. Each
    // chain Func is vectorized at native width.
    for (const FuncInfo &o : analysis_->funcs()) {
        if (!o.is_output || o.stages.size() != 1 || o.stages[0].pure_vars.size() < 2) continue;
        const StageInfo &os = o.stages[0];
        const std::string &x = os.pure_vars[0], &y = os.pure_vars[1];
        auto ext = [&](const std::string &v) { return extent_of(os, v); };
        // The output's further dims go inside its row loop when small (an image's channels: a
        // row of the chain then serves every channel), else the output is skipped.
        std::vector<std::string> inner_dims;
        for (size_t d = 2; d < os.pure_vars.size(); d++)
            if (ext(os.pure_vars[d]) <= 4) inner_dims.push_back(os.pure_vars[d]);
        if (inner_dims.size() + 2 != os.pure_vars.size()) continue;
        std::set<std::string> chain;
        const auto &funcs = analysis_->funcs();
        for (auto it = funcs.rbegin(); it != funcs.rend(); ++it) {  // consumers first
            const FuncInfo &f = *it;
            if (f.is_output || f.stages.size() != 1 || f.uses.empty() || f.stages[0].pure_vars.empty())
                continue;
            const Placement pl = base.funcs.at(f.name).placement;
            // A 2-D Func the heuristic inlines into a multi-channel output (a per-pixel factor
            // applied to every channel) joins too: per row it is computed once, not per channel.
            bool per_pixel_factor =
                pl == Placement::inline_ && !inner_dims.empty() && f.stages[0].pure_vars.size() == 2;
            for (const Use &u : f.uses) per_pixel_factor = per_pixel_factor && u.consumer == o.name;
            if (pl != Placement::root && !per_pixel_factor) continue;
            // (Consumers the heuristic inlines count as the Funcs they are inlined into.)
            bool feeds_only_chain = true;
            for (const auto &u : effective_uses(*analysis_, base, f))
                feeds_only_chain = feeds_only_chain && (u.first == o.name || chain.count(u.first));
            if (feeds_only_chain) chain.insert(f.name);
        }
        if (chain.size() < 2) continue;
        const int lanes = native_lanes(target_, o.type);
        // (tx 0: full rows, the x loop split by the vector width only, the chain stored per
        // strip of rows; Halide then partitions a clamped producer's row loop into edges and
        // a dense middle, which it does not inside a column strip.)
        for (auto [tx, ty] : std::vector<std::pair<int, int>>{{256, 64}, {128, 32}, {512, 128}, {0, 32}}) {
            const bool full_rows = tx == 0;
            // (Tiles shrink to half the output at small sizes, so there are always two.)
            tx = full_rows ? lanes : std::min(tx, ext(x) / 2 / lanes * lanes);
            ty = std::min(ty, ext(y) / 2);
            if (tx < lanes || ty < 1) continue;
            Schedule s = base;
            StageSchedule ost;
            const bool strip_is_vector = tx == lanes;
            ost.splits = {{x, strip_is_vector ? std::vector<int>{tx} : std::vector<int>{tx, lanes}},
                          {y, {ty}}};
            auto nx = split_loop_names(x, ost.splits[0].factors.size()), ny = split_loop_names(y, 1);
            ost.vectorize = nx.back();
            ost.order = {nx.back()};
            if (!strip_is_vector || full_rows) ost.order.push_back(nx[full_rows ? 0 : 1]);
            ost.order.insert(ost.order.end(), inner_dims.begin(), inner_dims.end());
            ost.order.push_back(ny[1]);
            if (!full_rows) ost.order.push_back(nx[0]);
            ost.order.push_back(ny[0]);
            ost.parallel = {ny[0]};
            s.funcs[o.name].stages = {ost};
            for (const std::string &name : chain) {
                const FuncInfo &f = analysis_->func(name);
                const StageInfo &fs0 = f.stages[0];
                FuncSchedule fs = computed_at(o.name, 0, ny[1], full_rows ? ny[0] : nx[0]);
                StageSchedule st;
                const int fl = native_lanes(target_, f.type);
                const std::string &fx = fs0.pure_vars[0];
                if (fl >= 2) {
                    st.splits = {{fx, {fl}}};
                    st.vectorize = split_loop_names(fx, 1).back();
                }
                fs.stages = {st};
                s.funcs[name] = fs;
            }
            // In full rows a copy or a boundary condition (one load, at most a min and a max per
            // coordinate) is inlined: the clamp then splits each reader's row loop into edges
            // and a dense middle, where a per-row copy is one more store and load per point.
            // (Inside a column strip Halide 14 keeps the clamp on every vector, a gather, so
            // the strips keep the copy.)
            for (const std::string &name : full_rows ? chain : std::set<std::string>{}) {
                const FuncInfo &f = analysis_->func(name);
                const StageInfo &d = f.stages[0];
                if (!f.can_inline || d.loads_per_point > 1 || d.ops_per_point > 2 * (int)f.args.size())
                    continue;
                Schedule t = s;
                t.funcs[name] = inlined();
                if (inline_allowed(*analysis_, t, f, kSketchInlineExpansion) && validate(t).empty()) s = t;
            }
            if (validate(s).empty() && seen.insert(schedule_hash(s)).second) out.push_back(s);
        }
    }
    // Multi-scale pipelines (apps/local_laplacian's hand schedule), derived from extents, not
    // names: (1) the private helpers are inlined, consumers first, where the inline limit allows:
    // a Func read by one consumer whose x:y aspect differs from the output's by 1.5x or more
    // (the half pass of a separable resampling, downx or upx), a Func at the resolution of all
    // its consumers (x and y extents within 1.5x) read at most twice by one consumer or four
    // times by several (a pointwise step), a plain copy, a lookup table (no loads: recomputing
    // it beats Halide 14's scalarized gathers), and a cheap Func of at least twice the output's
    // points (its buffer costs more than recomputing it; where the limit stops that, the half
    // passes reading it are computed per tile of their consumer instead); (2) the 2-D
    // producers whose values reach only the output or each other at the same or a higher
    // resolution (the collapse of the pyramid) are computed per output row and stored per
    // parallel strip of rows (sliding windows, every level computed once), the output in
    // full-width rows (x vectorized, its small dims inside), strips of 32 or 64 rows parallel.
    // The other levels stay at the root with the heuristic's loops. One sketch for (1) alone,
    // one per strip height for (1) and (2).
    if (std::optional<Schedule> helpers = inline_pyramid_helpers(base)) {
        if (seen.insert(schedule_hash(*helpers)).second) out.push_back(*helpers);
        for (int ty : {32, 64})
            if (std::optional<Schedule> s = collapse_at_output_rows(*helpers, ty))
                if (seen.insert(schedule_hash(*s)).second) out.push_back(*s);
    }
    // Scatter at the consumer's rows (apps/bilateral_grid's hand schedule): a Func with a
    // scatter update (a histogram) that only one root Func reads is computed per row of that
    // consumer instead of at the root, so its bins stay in L1 while they are filled and read;
    // its updates run the small pure dims (extent 2 to 4) unrolled innermost, then the
    // reduction, then the other pure loops. The consumer's rows are its outermost loop
    // (parallel; it moves to the root when a sketch computed it in a window), its vector loop
    // innermost with its small dims unrolled just outside, and the cheap pure producers that
    // only the scattering Func reads are inlined into it (a boundary condition read twice per
    // point is one load after CSE). Applied to the heuristic and to every sketch above, so it
    // combines with the sliding windows.
    std::vector<Schedule> starts = {base};
    starts.insert(starts.end(), out.begin(), out.end());
    for (const Schedule &start : starts) {
        Schedule s = start;
        bool any = false;
        for (const FuncInfo &f : analysis_->funcs()) {
            if (f.is_output || s.funcs.at(f.name).placement != Placement::root || f.uses.empty()) continue;
            bool scatter = false;
            for (size_t i = 1; i < f.stages.size(); i++) scatter = scatter || is_scatter(f, f.stages[i]);
            for (const StageSchedule &st : s.funcs.at(f.name).stages) scatter = scatter && st.rfactor.empty();
            if (!scatter) continue;  // (an rfactor'd one keeps its intermediate's schedule)
            bool one_consumer = true;
            for (const Use &u : f.uses)
                one_consumer = one_consumer && u.consumer == f.uses[0].consumer && u.stage == 0;
            const FuncInfo &g = analysis_->func(f.uses[0].consumer);
            if (!one_consumer || g.stages.size() != 1 || s.funcs.at(g.name).placement == Placement::inline_)
                continue;
            const StageInfo &gs = g.stages[0];
            if (gs.pure_vars.size() < 2 || !gs.rvars.empty()) continue;
            const std::string &gx = gs.pure_vars[0], &gy = gs.pure_vars[1];
            const int lanes = native_lanes(target_, g.type);
            if (extent_of(gs, gy) < 2) continue;
            StageSchedule gst;
            const bool vec = lanes >= 2 && extent_of(gs, gx) >= lanes;
            if (vec) {
                gst.splits = {{gx, {lanes}}};
                gst.vectorize = split_loop_names(gx, 1)[1];
                gst.order = {gst.vectorize};
            }
            SmallDims gd = split_small_dims(gs, {gs.pure_vars.begin() + 2, gs.pure_vars.end()}, gst);
            gst.unroll = gd.inner;
            for (const auto *loops : {&gd.inner, &gd.rest, &gd.outer})
                gst.order.insert(gst.order.end(), loops->begin(), loops->end());
            gst.order.push_back(vec ? split_loop_names(gx, 1)[0] : gx);
            gst.order.push_back(gy);
            gst.parallel = {gy};
            FuncSchedule fs = computed_at(g.name, 0, gy);
            for (const StageInfo &stage : f.stages) {
                StageSchedule st;
                if (stage.index == 0 || stage.rvars.empty()) {
                    fs.stages.push_back(st);  // the initialization: Halide's default loops
                    continue;
                }
                const SmallDims d = split_small_dims(stage, stage.pure_vars, st);
                st.unroll = d.inner;
                for (const auto *loops : {&d.inner, &stage.rvars, &d.rest, &d.outer})
                    st.order.insert(st.order.end(), loops->begin(), loops->end());
                fs.stages.push_back(st);
            }
            FuncSchedule groot;  // (from a window too)
            groot.stages = {gst};
            s.funcs[g.name] = groot;
            s.funcs[f.name] = fs;
            for (const FuncInfo &p : analysis_->funcs()) {
                if (!p.can_inline || p.uses.empty() || s.funcs.at(p.name).placement != Placement::root)
                    continue;
                bool only_f = true;
                for (const Use &u : p.uses) only_f = only_f && u.consumer == f.name;
                if (only_f && is_cheap(p)) s.funcs[p.name] = inlined();
            }
            any = true;
        }
        if (any && validate(s).empty() && seen.insert(schedule_hash(s)).second) out.push_back(s);
    }
    // Gathers across a small dim (apps/bilateral_grid's slicing: a Func of (x, y, c) that
    // reads its grid at data-dependent z for each c): see interleave_gathers. Applied to the
    // heuristic and to every sketch above.
    starts = {base};
    starts.insert(starts.end(), out.begin(), out.end());
    for (const Schedule &start : starts)
        if (std::optional<Schedule> s = interleave_gathers(start))
            if (seen.insert(schedule_hash(*s)).second) out.push_back(*s);
    // Inlined Funcs a stencil consumer recomputes, given a private copy per tile of that
    // consumer (see wrap_recomputed_inlines): on the heuristic and on every sketch above.
    starts = {base};
    starts.insert(starts.end(), out.begin(), out.end());
    for (const Schedule &start : starts)
        if (std::optional<Schedule> s = wrap_recomputed_inlines(*analysis_, target_, start))
            if (validate(*s).empty() && seen.insert(schedule_hash(*s)).second) out.push_back(*s);
    out.insert(out.end(), root.begin(), root.end());
    return out;
}

// A Func F whose definition gathers from a producer G (an index that depends on loaded data)
// while passing a small dim d (extent 2 to 4, a channel) through unchanged is, vectorized
// along its x, a gather per lane per channel: Halide 14 extracts every lane's index from a
// vector and inserts every loaded value back (most of bilateral_grid's slicing time). Instead
// F is computed per row of its one consumer C (C's innermost loop outside its vector dim), its
// loop over d innermost and vectorized, and d innermost in F's storage and in G's, with G's
// gathered dims next: each gather becomes one dense load of all of d's values from a
// neighbourhood of consecutive addresses, and C still reads F with dense vectors.
std::optional<Schedule> ScheduleSpace::interleave_gathers(const Schedule &base) const {
    Schedule s = base;
    bool any = false;
    for (const FuncInfo &f : analysis_->funcs()) {
        if (!f.can_inline || f.stages.size() != 1 || f.uses.empty()) continue;
        bool one_consumer = true;
        for (const Use &u : f.uses)
            one_consumer = one_consumer && u.consumer == f.uses[0].consumer && u.stage == 0;
        if (!one_consumer) continue;
        const FuncInfo &c = analysis_->func(f.uses[0].consumer);
        const FuncSchedule &cs = s.funcs.at(c.name);
        if (cs.placement != Placement::root || cs.stages.empty() || cs.stages[0].vectorize.empty()) continue;
        // The small dim, and the producers F gathers from across it.
        const StageInfo &fst = f.stages[0];
        std::string d;
        std::vector<std::pair<const FuncInfo *, size_t>> gathered;  // producer, its arg that is d
        for (const auto &v : fst.pure_vars) {
            int e = extent_of(fst, v);
            if (e < 2 || e > 4 || !d.empty()) continue;
            for (const FuncInfo &g : analysis_->funcs())
                for (const Use &u : g.uses) {
                    if (u.consumer != f.name) continue;
                    bool gathers = std::find(u.gathered.begin(), u.gathered.end(), true) != u.gathered.end();
                    for (size_t q = 0; q < u.arg_vars.size(); q++)
                        if (gathers && u.arg_vars[q] == v) gathered.emplace_back(&g, q);
                }
            if (!gathered.empty()) d = v;
        }
        if (d.empty()) continue;
        // Where: C's innermost loop outside its vector dim (a row of C's tile).
        const StageSchedule &cst = cs.stages[0];
        LoopNest cn = loop_nest(c.stages[0], cst);
        const std::string vdim = cn.dim.at(cst.vectorize);
        std::string row;
        for (const auto &l : cn.loops)
            if (cn.dim.at(l) != vdim &&
                std::find(cst.unroll.begin(), cst.unroll.end(), l) == cst.unroll.end()) {
                row = l;
                break;
            }
        if (row.empty()) continue;
        FuncSchedule fs = computed_at(c.name, 0, row);
        StageSchedule st;
        st.splits = {{d, {extent_of(fst, d)}}};
        auto dn = split_loop_names(d, 1);
        st.vectorize = dn[1];
        st.order = {dn[1]};
        for (const auto &v : fst.pure_vars)
            if (v != d) st.order.push_back(v);
        st.order.push_back(dn[0]);
        fs.stages = {st};
        fs.storage = {d};
        for (const auto &a : f.args)
            if (a != d) fs.storage.push_back(a);
        s.funcs[f.name] = fs;
        for (const auto &gq : gathered) {
            const FuncInfo &g = *gq.first;
            FuncSchedule &gs = s.funcs.at(g.name);
            if (gs.placement == Placement::inline_) continue;
            std::vector<bool> is_gathered(g.args.size(), false);
            for (const Use &u : g.uses)
                if (u.consumer == f.name)
                    for (size_t i = 0; i < u.gathered.size() && i < g.args.size(); i++)
                        is_gathered[i] = is_gathered[i] || u.gathered[i];
            gs.storage = {g.args[gq.second]};
            for (bool want : {true, false})
                for (size_t i = 0; i < g.args.size(); i++)
                    if (i != gq.second && is_gathered[i] == want) gs.storage.push_back(g.args[i]);
        }
        any = true;
    }
    if (!any || !validate(s).empty()) return std::nullopt;
    return s;
}

std::optional<Schedule> ScheduleSpace::inline_pyramid_helpers(const Schedule &base) const {
    const auto &funcs = analysis_->funcs();
    const FuncInfo *o = nullptr;  // the output (the first, where there are several)
    for (const FuncInfo &f : funcs)
        if (f.is_output && !o) o = &f;
    Schedule s = base;
    bool any = false;
    for (auto it = funcs.rbegin(); it != funcs.rend(); ++it) {  // consumers first
        const FuncInfo &f = *it;
        const StageInfo &d = f.stages[0];
        const bool table = d.loads_per_point == 0 && d.ops_per_point <= 32;
        if (!f.can_inline || f.uses.empty() || s.funcs.at(f.name).placement != Placement::root ||
            !(is_cheap(f) || table))
            continue;
        const bool copy = d.ops_per_point == 0 && d.loads_per_point <= 1;
        bool one_consumer = true;
        int calls = 0;
        for (const Use &u : f.uses) {
            one_consumer = one_consumer && u.consumer == f.uses[0].consumer;
            calls += u.calls;
        }
        const FuncInfo &g = analysis_->func(f.uses[0].consumer);
        bool half_pass = false, same_resolution = false;
        if (one_consumer && f.args.size() >= 2 && g.args.size() >= 2 && o && o->args.size() >= 2) {
            const double r = (double)f.extents[0] / f.extents[1] * o->extents[1] / o->extents[0];
            half_pass = r >= 1.5 || r <= 1 / 1.5;
        }
        // Same resolution: every consumer has f's x and y extents (a pointwise step), at most two
        // reads from one consumer or four in all.
        if (f.args.size() >= 2) {
            same_resolution = calls <= (one_consumer ? 2 : 4);
            for (const Use &u : f.uses) {
                const FuncInfo &c = analysis_->func(u.consumer);
                same_resolution = same_resolution && c.args.size() >= 2 &&
                                  same_scale(f.extents[0], c.extents[0]) &&
                                  same_scale(f.extents[1], c.extents[1]);
            }
        }
        const bool big = o && f.points() >= 2 * o->points();
        if (!(table || copy || half_pass || same_resolution || big)) continue;
        Schedule t = s;
        t.funcs[f.name] = inlined();
        if (big && !inline_allowed(*analysis_, t, f, kSketchInlineExpansion)) {
            // Past the inline limit through inlined helpers: those are computed per tile of
            // their (root) consumer instead, each point once, and f inlined into them.
            for (const Use &u : f.uses) {
                const FuncInfo &c = analysis_->func(u.consumer);
                if (t.funcs.at(c.name).placement != Placement::inline_ || c.uses.empty()) continue;
                const FuncInfo &g = analysis_->func(c.uses[0].consumer);
                const FuncSchedule &gs = t.funcs.at(g.name);
                if (gs.placement != Placement::root || gs.stages.size() != 1) continue;
                const LoopNest nest = loop_nest(g.stages[0], gs.stages[0]);
                std::string tile;  // the innermost loop outside the tile
                for (const auto &l : nest.loops)
                    if (tile.empty() && !nest.constant.count(l) && l != gs.stages[0].vectorize) tile = l;
                if (tile.empty()) continue;
                FuncSchedule cs = computed_at(g.name, 0, tile);
                cs.stages = {vectorized_innermost(c, target_)};
                t.funcs[c.name] = cs;
            }
        }
        if (!inline_allowed(*analysis_, t, f, kSketchInlineExpansion) || !validate(t).empty()) continue;
        s = std::move(t);
        any = true;
    }
    if (!any) return std::nullopt;
    return s;
}

std::optional<Schedule> ScheduleSpace::collapse_at_output_rows(const Schedule &helpers, int rows) const {
    const auto &funcs = analysis_->funcs();
    const FuncInfo *o = nullptr;
    for (const FuncInfo &f : funcs)
        if (f.is_output) {
            if (o) return std::nullopt;  // (one output)
            o = &f;
        }
    if (!o || o->stages.size() != 1 || o->stages[0].pure_vars.size() < 2) return std::nullopt;
    const StageInfo &os = o->stages[0];
    const std::string &x = os.pure_vars[0], &y = os.pure_vars[1];
    rows = std::min(rows, extent_of(os, y) / 2);
    // (Levels shorter than a strip are computed whole for every row: they stay at the root.)
    if (rows < 2) return std::nullopt;
    // The chain: pure, single-stage Funcs of 2 dims plus small ones (channels, extent <= 4)
    // whose values reach only the output or other chain Funcs at the same or a higher
    // resolution (the collapse; a window across a downsampling recomputes its rows): root ones,
    // and inlined ones at the output's resolution with fewer dims than it (inlined, they are
    // recomputed per channel).
    std::set<std::string> chain;
    for (auto it = funcs.rbegin(); it != funcs.rend(); ++it) {
        const FuncInfo &f = *it;
        const Placement p = helpers.funcs.at(f.name).placement;
        if (f.is_output || f.stages.size() != 1 || f.args.size() < 2 || !f.stages[0].rvars.empty() ||
            !(p == Placement::root ||
              (p == Placement::inline_ && f.args.size() < o->args.size() &&
               same_scale(f.extents[0], o->extents[0]) && same_scale(f.extents[1], o->extents[1]))))
            continue;
        bool fits = f.extents[1] >= rows;  // (and its other dims are small)
        for (size_t i = 2; i < f.extents.size(); i++) fits = fits && f.extents[i] <= 4;
        if (!fits) continue;
        auto uses = effective_uses(*analysis_, helpers, f);
        bool only_chain = !uses.empty();
        for (const auto &[consumer, stage] : uses) {
            const FuncInfo &g = analysis_->func(consumer);
            only_chain = only_chain &&
                         (consumer == o->name || (chain.count(consumer) && p == Placement::root)) &&
                         (g.extents[0] >= f.extents[0] || same_scale(g.extents[0], f.extents[0])) &&
                         (g.extents[1] >= f.extents[1] || same_scale(g.extents[1], f.extents[1]));
        }
        if (only_chain) chain.insert(f.name);
    }
    if (chain.empty()) return std::nullopt;
    Schedule s = helpers;
    StageSchedule ost;
    const int lanes = native_lanes(target_, o->type);
    const bool vec = lanes >= 2 && extent_of(os, x) >= lanes;
    if (vec) {
        ost.splits.push_back({x, {lanes}});
        ost.vectorize = split_loop_names(x, 1)[1];
        ost.order = {ost.vectorize};
    }
    ost.splits.push_back({y, {rows}});
    const auto ny = split_loop_names(y, 1);
    ost.order.insert(ost.order.end(), os.pure_vars.begin() + 2, os.pure_vars.end());
    ost.order.push_back(vec ? split_loop_names(x, 1)[0] : x);
    ost.order.push_back(ny[1]);
    ost.order.push_back(ny[0]);
    ost.parallel = {ny[0]};
    s.funcs[o->name].stages = {ost};
    for (const std::string &name : chain) {
        const FuncInfo &f = analysis_->func(name);
        FuncSchedule fs = computed_at(o->name, 0, ny[1], ny[0]);
        fs.stages = {vectorized_innermost(f, target_)};
        s.funcs[name] = fs;
    }
    if (!validate(s).empty()) return std::nullopt;
    return s;
}

Schedule ScheduleSpace::heuristic() const {
    Schedule s;
    const PipelineAnalysis &a = *analysis_;
    for (const FuncInfo &f : a.funcs()) {
        int calls = 0;
        for (const auto &u : f.uses) calls += u.calls;
        FuncSchedule fs;
        if (f.can_inline && calls <= 1 && is_cheap(f)) {
            fs.placement = Placement::inline_;
        } else {
            fs.placement = Placement::root;
            for (const auto &stage : f.stages) fs.stages.push_back(heuristic_stage(f, stage, target_));
        }
        s.funcs[f.name] = fs;
    }
    return s;
}

}  // namespace htune
