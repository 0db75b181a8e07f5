// Validity, sampling and mutation rules of the schedule space (see SpaceRules.h).
#include "schedules/SpaceRules.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "schedules/Apply.h"
#include "schedules/AtRegion.h"
#include "schedules/Loops.h"
#include "schedules/RFactor.h"
#include "schedules/Wrappers.h"

namespace htune {

namespace {

bool chance(Rng &rng, double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }

template <typename T>
const T &pick(const std::vector<T> &v, Rng &rng) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

// Powers of two in [lo, hi].
std::vector<int> pow2_between(int lo, int hi) {
    std::vector<int> out;
    for (int p = 2; p <= hi; p *= 2)
        if (p >= lo) out.push_back(p);
    return out;
}

int index_of(const std::vector<std::string> &v, const std::string &x) {
    auto it = std::find(v.begin(), v.end(), x);
    return it == v.end() ? -1 : (int)(it - v.begin());
}

bool contains(const std::vector<std::string> &v, const std::string &x) { return index_of(v, x) >= 0; }

// "" when loop `fs.at_loop` of `fs.at_func` encloses every stage in `uses` (each computed,
// through a chain of compute_at, at that loop or a loop inside it), else the reason.
std::string enclosing_reason(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f,
                             const FuncSchedule &fs, const std::set<std::pair<std::string, int>> &uses) {
    const std::string not_consumer = f.name + ": is computed at " + fs.at_func + " stage " +
                                     std::to_string(fs.at_stage) + ", which does not consume it";
    if (!a.has(fs.at_func) || a.func(fs.at_func).stages.size() != 1 || fs.at_stage != 0) return not_consumer;
    auto git = s.funcs.find(fs.at_func);
    if (git == s.funcs.end() || git->second.stages.empty()) return not_consumer;
    const StageSchedule &gst = git->second.stages[0];
    std::vector<std::string> loops = final_loops(loop_nest(a.func(fs.at_func).stages[0], gst), gst);
    int at = index_of(loops, fs.at_loop);
    if (at < 0) return not_consumer;
    for (const auto &u : uses) {
        if (u.first == fs.at_func && u.second == fs.at_stage) continue;  // (it consumes f itself)
        std::string cur = u.first;
        bool inside = false;
        for (size_t depth = 0; depth <= a.funcs().size() && !inside; depth++) {
            auto it = s.funcs.find(cur);
            if (it == s.funcs.end() || it->second.placement != Placement::at) break;
            if (it->second.at_func == fs.at_func) {
                int l = index_of(loops, it->second.at_loop);
                inside = l >= 0 && l <= at;
                break;
            }
            cur = it->second.at_func;
        }
        if (!inside)
            return not_consumer + " nor encloses its consumer " + u.first + " (computed at or inside loop '" +
                   fs.at_loop + "')";
    }
    return "";
}

}  // namespace

std::vector<std::string> placement_loops(const FuncInfo &g, int stage, const StageSchedule &st,
                                         bool unrolled_ok) {
    LoopNest nest = loop_nest(g.stages[stage], st);
    std::vector<std::string> out;
    for (const auto &l : final_loops(nest, st))
        if (l != st.vectorize && (unrolled_ok || !contains(st.unroll, l)) && !nest.is_rvar(l))
            out.push_back(l);
    return out;
}

void one_level_splits(StageSchedule &st) {
    for (auto &d : st.splits) {
        if (d.factors.size() < 2) continue;
        auto names = split_loop_names(d.var, d.factors.size());  // keeps var_o and var_i
        d.factors = {d.factors.back()};
        for (size_t k = 1; k + 1 < names.size(); k++)
            for (auto *v : {&st.order, &st.unroll, &st.parallel})
                v->erase(std::remove(v->begin(), v->end(), names[k]), v->end());
    }
}

bool too_large_for_root(const FuncInfo &f) { return !f.is_output && f.root_bytes() >= kHalideBufferLimit; }

EffectiveAnalysis::EffectiveAnalysis(const PipelineAnalysis &a, const Schedule &s) : a_(&a) {
    if (has_rfactor(s)) own_.emplace(with_rfactors(a, s, &why_));
    if (why_.empty() && has_wrappers(s)) {
        PipelineAnalysis wrapped = with_wrappers(get(), s, &why_);
        own_.emplace(std::move(wrapped));
    }
}

std::vector<std::string> wrap_candidates(const PipelineAnalysis &original, const Schedule &s,
                                         const FuncInfo &f) {
    std::set<std::string> consumers;
    for (const Use &u : f.uses) consumers.insert(u.consumer);
    std::vector<std::string> out;
    if (consumers.size() < 2 || !original.has(f.name)) return out;
    auto own = s.funcs.find(f.name);
    for (const std::string &g : consumers) {
        auto gs = s.funcs.find(g);
        if (gs == s.funcs.end() || gs->second.placement == Placement::inline_) continue;
        if (own != s.funcs.end() &&
            std::find(own->second.wrap.begin(), own->second.wrap.end(), g) != own->second.wrap.end())
            continue;
        if (original.has(g)) out.push_back(g);  // (not a wrapper nor an rfactor intermediate)
    }
    return out;
}

int native_lanes(const Halide::Target &target, Halide::Type t) {
    return std::max(1, target.natural_vector_size(t));
}

std::set<std::pair<std::string, int>> effective_uses(const PipelineAnalysis &a, const Schedule &s,
                                                     const FuncInfo &f) {
    std::set<std::pair<std::string, int>> out;
    for (const Use &u : f.uses) {
        auto it = s.funcs.find(u.consumer);
        if (it != s.funcs.end() && it->second.placement == Placement::inline_) {
            auto inner = effective_uses(a, s, a.func(u.consumer));
            out.insert(inner.begin(), inner.end());
        } else {
            out.insert({u.consumer, u.stage});
        }
    }
    return out;
}

int inline_expansion(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f) {
    int total = 0;
    for (const Use &u : f.uses) {
        auto it = s.funcs.find(u.consumer);
        bool inlined = it != s.funcs.end() && it->second.placement == Placement::inline_;
        total += u.calls * (inlined ? inline_expansion(a, s, a.func(u.consumer)) : 1);
        if (total > 1 << 20) break;  // far past any limit; stop multiplying
    }
    return std::max(1, total);
}

bool inline_allowed(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f, int limit) {
    if (!f.can_inline) return false;
    const StageInfo &d = f.stages[0];
    return (d.ops_per_point == 0 && d.loads_per_point <= 1) || inline_expansion(a, s, f) <= limit;
}

std::string validate_tails(const FuncInfo &f, const StageInfo &stage, const StageSchedule &st) {
    for (const DimSplit &d : st.splits) {
        if (d.tail.empty() || d.tail == "guard") continue;
        std::string where =
            f.name + " stage " + std::to_string(stage.index) + ": tail " + d.tail + " of '" + d.var;
        // Updates: ShiftInwards would apply the update twice to the shifted points (Halide
        // refuses it); RoundUp is Halide's own default for an update's pure vars (the extra
        // points are computed into the rounded-up allocation), never for a reduction loop.
        if (stage.index != 0 && d.tail == "shift_inwards")
            return where + "' (an update would be applied twice to the shifted points)";
        if (stage.is_rvar(d.var)) return where + "' (a reduction loop can only guard its tail)";
        if (!f.is_output) continue;
        // The output's extent is the caller's buffer: RoundUp needs it to be a multiple of the
        // factor, ShiftInwards at least the factor.
        int a = index_of(f.args, d.var);
        bool known = a >= 0 && f.extent_known[a];
        int e = known ? f.extents[a] : 0;
        if (!known || (d.tail == "round_up" ? e % d.factors[0] != 0 : e < d.factors[0]))
            return where + "' (the output's extent " +
                   (known ? std::to_string(e) : std::string("is unknown and")) + " does not fit factor " +
                   std::to_string(d.factors[0]) + ")";
    }
    return "";
}

// Whether computing f over more than it must reads nothing out of bounds: f, and every Func whose
// region grows with f's (its producers, except those it reads clamped, and so on), read their
// inputs only inside the inputs' sized regions (FuncInfo::input_reads_bounded, clamped_producers).
bool overcompute_safe(const PipelineAnalysis &a, const FuncInfo &f) {
    std::set<std::string> seen;
    std::vector<const FuncInfo *> todo = {&f};
    while (!todo.empty()) {
        const FuncInfo *g = todo.back();
        todo.pop_back();
        if (!seen.insert(g->name).second) continue;
        if (!g->input_reads_bounded) return false;
        for (const FuncInfo &p : a.funcs())
            for (const Use &u : p.uses)
                if (u.consumer == g->name && !contains(g->clamped_producers, p.name)) todo.push_back(&p);
    }
    return true;
}

// A tile larger than its dimension: Adams2019 vectorizes an 11-point kernel 16 wide, or splits
// an 8-wide output by 16. With a guarded tail that is one partial tile and nothing more. A
// shifted-in or rounded-up tail computes points nobody asked for: an output's tile would leave
// the caller's buffer, and an intermediate's reads its inputs outside what the pipeline needs
// unless they go through boundary conditions (Adams2019's own MLP schedule at test size reads a
// bias at -8): allowed only where overcompute_safe. In every case by a bounded factor.
std::string validate_tile_sizes(const PipelineAnalysis &a, const FuncInfo &f, const FuncSchedule &fs,
                                const StageInfo &stage, const StageSchedule &st) {
    for (const DimSplit &d : st.splits) {
        int ext = stage.extent.count(d.var) ? stage.extent.at(d.var) : 1;
        if (d.factors.empty() || d.factors[0] <= ext) continue;
        std::string where = f.name + " stage " + std::to_string(stage.index) + ": split factor " +
                            std::to_string(d.factors[0]) + " of '" + d.var + "' exceeds its extent " +
                            std::to_string(ext);
        if (d.factors[0] > kMaxTileOverExtent * ext)
            return where + " more than " + std::to_string(kMaxTileOverExtent) + " times";
        if (tail_strategy(d, f, fs, stage) == Halide::TailStrategy::GuardWithIf) continue;
        if (f.is_output) return where + " and an output's tile must guard its tail";
        if (!overcompute_safe(a, f))
            return where +
                   " and its tail is not guarded, while it or a Func it reads reads an input "
                   "without a boundary condition";
    }
    return "";
}

std::string validate_func(const PipelineAnalysis &a, const Halide::Target &target, const Schedule &s,
                          const FuncInfo &f) {
    const FuncSchedule &fs = s.funcs.at(f.name);
    if (fs.placement == Placement::inline_) {
        if (!f.can_inline) return f.name + ": cannot be inlined (output, update stages or extern)";
        if (!inline_allowed(a, s, f))
            return f.name + ": inlining copies it " + std::to_string(inline_expansion(a, s, f)) +
                   " times per point (limit " + std::to_string(kMaxInlineExpansion) + ")";
        if (!fs.stages.empty()) return f.name + ": an inlined Func has no loop nest";
        if (!fs.storage.empty()) return f.name + ": an inlined Func has no storage order";
        return "";
    }
    if (!fs.storage.empty()) {
        std::vector<std::string> a1 = fs.storage, a2 = f.args;
        std::sort(a1.begin(), a1.end());
        std::sort(a2.begin(), a2.end());
        if (a1 != a2) return f.name + ": storage order must list each of its dimensions once";
    }
    if (f.is_output && fs.placement != Placement::root) return f.name + ": an output must be compute_root";
    if (fs.placement == Placement::root && too_large_for_root(f)) {
        char gb[32];
        snprintf(gb, sizeof gb, "%.2f GB", f.root_bytes() / 1e9);
        return f.name + ": at the root its buffer takes " + gb +
               ", past Halide's 2^31-byte limit (inline it or compute it inside a consumer's loops)";
    }
    if (fs.stages.size() != f.stages.size())
        return f.name + ": needs " + std::to_string(f.stages.size()) + " stage schedule(s)";
    int max_lanes = 4 * native_lanes(target, f.type);
    ConstantRegion region = region_per_iteration(a, s, f);
    for (size_t i = 0; i < fs.stages.size(); i++) {
        // Tile sizes first: a tile far larger than its dimension fails the vector and unroll
        // rules too, but this is the reason.
        std::string why = validate_tile_sizes(a, f, fs, f.stages[i], fs.stages[i]);
        if (!why.empty()) return why;
        why = validate_stage(f.name, f.stages[i], fs.stages[i], max_lanes, region);
        if (!why.empty()) return why;
        why = validate_tails(f, f.stages[i], fs.stages[i]);
        if (!why.empty()) return why;
    }
    if (fs.placement != Placement::at) return "";
    // Fused parallel loops inside a compute_at Func with store_at make Halide 14 read outside
    // the input (seen on conv2d); nested parallelism there rarely pays off anyway.
    for (const auto &st : fs.stages)
        if (st.parallel.size() > 1)
            return f.name + ": a Func computed inside another's loops fuses no parallel loops";
    auto uses = effective_uses(a, s, f);
    if (uses.empty()) return f.name + ": compute_at needs a consuming stage";
    bool direct =
        uses.size() == 1 && uses.begin()->first == fs.at_func && uses.begin()->second == fs.at_stage;
    if (!direct) {
        // An enclosing Func instead of the consumer (a fusion group, as Mullapudi2016 and
        // Adams2019 build): legal when every consuming stage is computed, through a chain of
        // compute_at, at that loop or inside it. Only single-stage Funcs: apply() names the
        // loop without a stage index, which Halide resolves by the stage that uses f.
        std::string why = enclosing_reason(a, s, f, fs, uses);
        if (!why.empty()) return why;
    }
    const FuncInfo &g = a.func(fs.at_func);
    const FuncSchedule &gs = s.funcs.at(fs.at_func);
    if (gs.placement == Placement::inline_ || fs.at_stage >= (int)gs.stages.size())
        return f.name + ": its consumer " + fs.at_func + " has no loop nest";
    const StageSchedule &gst = gs.stages[fs.at_stage];
    std::vector<std::string> loops = final_loops(loop_nest(g.stages[fs.at_stage], gst), gst);
    auto allowed = placement_loops(g, fs.at_stage, gst, /*unrolled_ok=*/true);
    if (!contains(allowed, fs.at_loop))
        return f.name + ": loop '" + fs.at_loop + "' of " + fs.at_func +
               " does not exist, is vectorized or is a reduction loop";
    if (!fs.store_loop.empty()) {
        if (!contains(allowed, fs.store_loop))
            return f.name + ": store loop '" + fs.store_loop + "' of " + fs.at_func + " does not exist";
        int ci = index_of(loops, fs.at_loop), si = index_of(loops, fs.store_loop);
        if (si < ci) return f.name + ": stored inside the loop it is computed at";
        // Halide 14's sliding window gives wrong results when storage is hoisted over more
        // than one loop (seen on harris): only the classic form, storage one loop out.
        if (si > ci + 1) return f.name + ": stored more than one loop outside where it is computed";
        if (!gst.parallel.empty()) {
            int pi = index_of(loops, fused_loop_name(gst.parallel));
            if (pi >= ci && pi < si)
                return f.name + ": stored outside a parallel loop it is computed inside (a race)";
        }
    }
    std::string why = multi_level_split_reason(f, fs, tail_free_region(a, s, f));
    if (!why.empty()) return why;
    return "";
}

// Two-level splits (GuardWithIf twice) of a Func computed inside another's loops, where the
// per-iteration region can be smaller than the tile, make Halide 14 compute wrong values (seen on
// max_filter and local_laplacian; one level is correct). Where there is no tail at all they are
// allowed, as Adams2019 writes them: the dim's extent per iteration is a known constant, the
// same in the last iteration (tail_free_region: max_filter's slice_for_radius split [4, 2] per
// 4 values of t is still wrong when the consumer's own t loop is guarded; a constant RDom for
// an RVar), that the outer factor divides, and each factor divides the one outside it. The pure
// definition may also make its outer level whole with an explicit shift_inwards or round_up tail,
// as Adams2019 does for tiles of a runtime extent (the wrong values above came from the guarded
// update stage: slice_for_radius with only its pure stage split [4, 2] is correct).
std::string multi_level_split_reason(const FuncInfo &f, const FuncSchedule &fs,
                                     const ConstantRegion &region) {
    if (fs.placement != Placement::at) return "";
    for (size_t i = 0; i < fs.stages.size() && i < f.stages.size(); i++)
        for (const auto &d : fs.stages[i].splits) {
            if (d.factors.size() <= 1) continue;
            int extent = 0;
            if (region.count(d.var)) extent = region.at(d.var);
            auto rv = f.stages[i].constant_rvars.find(d.var);
            if (rv != f.stages[i].constant_rvars.end()) extent = rv->second.second;
            bool exact = extent > 0 && d.factors[0] > 0 && extent % d.factors[0] == 0;
            // The pure definition's outer level may also be made whole by its own tail: ShiftInwards
            // or RoundUp computes every outer iteration in full (over a larger region when the
            // extent is short), so the inner levels, dividing it, have no tail either.
            if (i == 0 && (d.tail == "shift_inwards" || d.tail == "round_up")) exact = d.factors[0] > 0;
            for (size_t k = 0; exact && k + 1 < d.factors.size(); k++)
                exact = d.factors[k + 1] > 0 && d.factors[k] % d.factors[k + 1] == 0;
            if (!exact)
                return f.name + ": a Func computed inside another's loops splits '" + d.var +
                       "' in more than one level only where no level has a tail (its extent per "
                       "iteration a constant, the same in the last iteration, that every factor divides)";
        }
    return "";
}

StageSchedule sample_stage(const FuncInfo &f, const StageInfo &stage, const Halide::Target &target, Rng &rng,
                           double p_parallel, const std::string &prefer_vec,
                           const std::string &prefer_outer) {
    StageSchedule st;
    const int lanes = native_lanes(target, f.type);
    auto ext = [&](const std::string &v) { return stage.extent.count(v) ? stage.extent.at(v) : 1; };

    // Vectorized dim: usually the innermost pure var.
    std::string vec_var;
    std::vector<std::string> vec_candidates;
    for (const auto &v : stage.pure_vars)
        if (ext(v) >= 2 * std::min(lanes, 2)) vec_candidates.push_back(v);
    if (!prefer_vec.empty() && contains(vec_candidates, prefer_vec))
        vec_var = prefer_vec;
    else if (!vec_candidates.empty() && chance(rng, 0.85))
        vec_var = (chance(rng, 0.8) && contains(vec_candidates, stage.pure_vars[0]))
                      ? stage.pure_vars[0]
                      : pick(vec_candidates, rng);
    for (const auto &v : stage.pure_vars) {
        int e = ext(v);
        if (v == vec_var) {
            std::vector<int> widths;
            for (int m : {1, 2, 4})
                if (lanes * m <= e) widths.push_back(lanes * m);
            if (widths.empty()) widths = pow2_between(2, std::min(e, lanes));
            if (widths.empty()) {
                vec_var.clear();
                continue;
            }
            int w = pick(widths, rng);
            auto outers = pow2_between(2 * w, std::min(e, 1024));
            if (!outers.empty() && chance(rng, 0.6))
                st.splits.push_back({v, {pick(outers, rng), w}});
            else
                st.splits.push_back({v, {w}});
            continue;
        }
        if (e < 4 || !chance(rng, 0.6)) continue;
        auto ps = pow2_between(2, std::min(e, 256));
        if (ps.size() >= 2 && chance(rng, 0.4)) {
            int a = std::uniform_int_distribution<int>(1, (int)ps.size() - 1)(rng);
            int b = std::uniform_int_distribution<int>(0, a - 1)(rng);
            st.splits.push_back({v, {ps[a], ps[b]}});
        } else {
            st.splits.push_back({v, {pick(ps, rng)}});
        }
    }
    for (const auto &r : stage.rvars) {
        int e = ext(r);
        auto ps = pow2_between(2, std::min(e, 16));
        if (!ps.empty() && chance(rng, 0.3)) st.splits.push_back({r, {pick(ps, rng)}});
    }

    LoopNest nest = loop_nest(stage, st);
    std::string vec_loop = vec_var.empty() ? "" : split_loop_names(vec_var, 1).back();
    if (!chance(rng, 0.15) || !vec_loop.empty()) {
        // Tiled order: [vector loop] [other constant pure loops, shuffled] [reductions] [outer pure loops].
        std::vector<std::string> inner, rv, outer;
        for (const auto &l : nest.loops) {
            if (l == vec_loop) continue;
            if (nest.is_rvar(l))
                rv.push_back(l);
            else if (nest.constant.count(l))
                inner.push_back(l);
            else
                outer.push_back(l);
        }
        std::shuffle(inner.begin(), inner.end(), rng);
        if (outer.size() >= 2 && chance(rng, 0.2)) std::swap(outer[0], outer[1]);
        std::vector<std::string> order;
        if (!vec_loop.empty()) order.push_back(vec_loop);
        int where =
            std::uniform_int_distribution<int>(0, 2)(rng);  // reductions: inside, middle, outside tiles
        if (where == 0) order.insert(order.end(), rv.begin(), rv.end());
        order.insert(order.end(), inner.begin(), inner.end());
        if (where == 1) order.insert(order.end(), rv.begin(), rv.end());
        order.insert(order.end(), outer.begin(), outer.end());
        if (where == 2) order.insert(order.end(), rv.begin(), rv.end());
        st.order = order;
        nest.loops = order;
    }
    std::string outer_loop;  // prefer_outer's outermost loop, moved outermost
    if (!prefer_outer.empty()) {
        for (const auto &l : nest.loops)
            if (nest.dim.count(l) && nest.dim.at(l) == prefer_outer && !nest.constant.count(l))
                outer_loop = l;
        if (!outer_loop.empty() && outer_loop != vec_loop) {
            std::vector<std::string> order;
            for (const auto &l : nest.loops)
                if (l != outer_loop) order.push_back(l);
            order.push_back(outer_loop);
            st.order = order;
            nest.loops = order;
        } else {
            outer_loop.clear();
        }
    }
    if (!vec_loop.empty() && !nest.loops.empty() && nest.loops.front() == vec_loop) st.vectorize = vec_loop;
    int unrolled = 1;
    for (const auto &l : nest.loops)
        if (l != st.vectorize && nest.constant.count(l) && nest.extent.at(l) <= 8 &&
            unrolled * nest.extent.at(l) <= kMaxUnrollProduct && chance(rng, 0.3)) {
            st.unroll.push_back(l);
            unrolled *= nest.extent.at(l);
        }
    if (!outer_loop.empty() && !contains(st.unroll, outer_loop)) {
        st.parallel = {outer_loop};
    } else if (chance(rng, p_parallel)) {
        // The outermost pure loops that are not vectorized or unrolled.
        std::vector<std::string> cand;
        for (auto it = nest.loops.rbegin(); it != nest.loops.rend() && cand.size() < 2; ++it) {
            if (nest.is_rvar(*it) || *it == st.vectorize || contains(st.unroll, *it)) break;
            cand.push_back(*it);
        }
        if (!cand.empty()) {
            size_t n = (cand.size() == 2 && chance(rng, 0.3)) ? 2 : 1;
            for (size_t i = n; i-- > 0;) st.parallel.push_back(cand[i]);  // innermost first
        }
    }
    return st;
}

std::vector<StageSchedule> sample_stages(const FuncInfo &f, const Halide::Target &target, Rng &rng,
                                         double p_parallel) {
    std::vector<StageSchedule> out;
    for (const auto &stage : f.stages) out.push_back(sample_stage(f, stage, target, rng, p_parallel));
    return out;
}

void sample_placement(const PipelineAnalysis &a, const Halide::Target &target, Schedule &s, const FuncInfo &f,
                      Rng &rng, bool force_change) {
    FuncSchedule &fs = s.funcs[f.name];
    if (f.is_output) {
        fs.placement = Placement::root;
        fs.at_func = fs.at_loop = fs.store_loop = "";
        fs.at_stage = 0;
        if (fs.stages.size() != f.stages.size()) fs.stages = sample_stages(f, target, rng, 0.9);
        return;
    }
    auto uses = effective_uses(a, s, f);
    std::vector<std::pair<Placement, double>> options;
    if (inline_allowed(a, s, f)) options.push_back({Placement::inline_, 0.35});
    // The root only where its buffer fits (validate_func), unless nothing else is possible.
    if (!too_large_for_root(f)) options.push_back({Placement::root, 0.3});
    std::vector<std::string> loops;
    if (uses.size() == 1) {
        const auto &g = a.func(uses.begin()->first);
        const FuncSchedule &gs = s.funcs[g.name];
        if (gs.placement != Placement::inline_ && uses.begin()->second < (int)gs.stages.size())
            loops = placement_loops(g, uses.begin()->second, gs.stages[uses.begin()->second]);
        if (!loops.empty()) options.push_back({Placement::at, 0.35});
    }
    if (options.empty()) options.push_back({Placement::root, 0.3});
    if (force_change && options.size() > 1 && fs.placement != Placement::at)
        options.erase(std::remove_if(options.begin(), options.end(),
                                     [&](const auto &o) { return o.first == fs.placement; }),
                      options.end());
    double total = 0;
    for (const auto &o : options) total += o.second;
    double r = std::uniform_real_distribution<double>(0, total)(rng);
    Placement chosen = options.back().first;
    for (const auto &o : options) {
        if (r < o.second) {
            chosen = o.first;
            break;
        }
        r -= o.second;
    }
    fs.placement = chosen;
    fs.at_func = fs.at_loop = fs.store_loop = "";
    fs.at_stage = 0;
    if (chosen == Placement::inline_) {
        fs.stages.clear();
        return;
    }
    if (fs.stages.size() != f.stages.size()) fs.stages = sample_stages(f, target, rng, 0.6);
    if (chosen == Placement::root) return;
    // compute_at: a loop of the consumer; storage there or further out (sliding windows).
    fs.at_func = uses.begin()->first;
    fs.at_stage = uses.begin()->second;
    fs.at_loop = pick(loops, rng);
    const StageSchedule &gst = s.funcs[fs.at_func].stages[fs.at_stage];
    std::vector<std::string> all = final_loops(loop_nest(a.func(fs.at_func).stages[fs.at_stage], gst), gst);
    int ci = index_of(all, fs.at_loop);
    int pi = gst.parallel.empty() ? -1 : index_of(all, fused_loop_name(gst.parallel));
    std::vector<std::string> stores;
    for (const auto &l : loops) {
        int si = index_of(all, l);
        if (si == ci + 1 && !(pi >= ci && pi < si)) stores.push_back(l);
    }
    if (!stores.empty() && chance(rng, 0.35)) fs.store_loop = pick(stores, rng);
    // Computed inside a loop nest: parallel loops of its own rarely pay off, and never fused;
    // splits have one level (see validate_func).
    for (auto &st : fs.stages) {
        one_level_splits(st);
        if (chance(rng, 0.7)) st.parallel.clear();
        if (st.parallel.size() > 1) st.parallel.erase(st.parallel.begin(), st.parallel.end() - 1);
    }
}

void drop_unknown_unrolls(const PipelineAnalysis &a, Schedule &s, const FuncInfo &f) {
    auto it = s.funcs.find(f.name);
    if (it == s.funcs.end() || it->second.placement == Placement::inline_) return;
    ConstantRegion region = region_per_iteration(a, s, f);
    auto &stages = it->second.stages;
    for (size_t i = 0; i < stages.size() && i < f.stages.size(); i++) {
        LoopNest nest = loop_nest(f.stages[i], stages[i], region);
        auto &u = stages[i].unroll;
        u.erase(std::remove_if(u.begin(), u.end(),
                               [&](const std::string &l) { return !nest.known_extent.count(l); }),
                u.end());
    }
}

void repair_placements(const PipelineAnalysis &a, const Halide::Target &target, Schedule &s, Rng &rng) {
    for (auto it = a.funcs().rbegin(); it != a.funcs().rend(); ++it) {
        if (validate_func(a, target, s, *it).empty()) continue;
        drop_unknown_unrolls(a, s, *it);
        if (validate_func(a, target, s, *it).empty()) continue;
        sample_placement(a, target, s, *it, rng);
        if (!validate_func(a, target, s, *it).empty()) {
            auto &stages = s.funcs[it->name].stages;
            std::vector<StageSchedule> fresh = sample_stages(*it, target, rng, 0.6);
            for (size_t i = 0; i < fresh.size() && i < stages.size(); i++)
                fresh[i].rfactor = stages[i].rfactor;
            stages = fresh;
            sample_placement(a, target, s, *it, rng);
        }
    }
}

std::vector<RFactor> rfactor_choices(const FuncInfo &f, const StageInfo &stage) {
    std::vector<RFactor> out;
    if (!can_rfactor(stage)) return out;
    std::string var;
    for (const char *v : {"u", "v", "w", "u1", "u2"}) {
        RFactor probe{stage.rvars[0], 0, stage.rvars[0], v};
        std::string why = validate_rfactor(f, stage, probe);
        if (why.find("var '") == std::string::npos) {  // the name is free (other reasons aside)
            var = v;
            break;
        }
    }
    if (var.empty()) return out;
    for (const auto &r : stage.rvars) {
        int e = stage.extent.count(r) ? stage.extent.at(r) : 1;
        std::vector<int> factors = pow2_between(2, std::min(e / 2, 64)), exact;
        for (int fct : factors)
            if (e % fct == 0) exact.push_back(fct);
        if (!exact.empty()) factors = exact;  // no tails: no predicates in either Func
        for (int fct : factors)
            for (const auto &keep : split_loop_names(r, 1)) out.push_back(RFactor{r, fct, keep, var});
        if (stage.rvars.size() >= 2) out.push_back(RFactor{r, 0, r, var});
    }
    out.erase(std::remove_if(out.begin(), out.end(),
                             [&](const RFactor &rf) { return !validate_rfactor(f, stage, rf).empty(); }),
              out.end());
    return out;
}

void set_rfactor(const PipelineAnalysis &a, const Halide::Target &target, Schedule &s, const FuncInfo &f,
                 int stage, const RFactor &rf, Rng &rng) {
    FuncSchedule &fs = s.funcs[f.name];
    const std::string gname = rfactor_func_name(f.name, stage);
    const double p_par = (f.is_output || fs.placement == Placement::root) ? 0.7 : 0.2;
    if (rf.empty()) {
        fs.stages[stage] = sample_stage(f, f.stages[stage], target, rng, p_par);
        s.funcs.erase(gname);
        return;
    }
    fs.stages[stage] = sample_stage(f, rfactor_merge_stage(f, f.stages[stage], rf), target, rng, p_par);
    fs.stages[stage].rfactor = rf;
    if (fs.placement == Placement::at) fs.stages[stage].parallel.clear();
    // The intermediate: vectorize the kept inner loop (now pure), or parallelize the kept outer one.
    FuncInfo g = rfactor_intermediate(f, f.stages[stage], rf);
    bool inner = rf.factor > 0 && rf.keep == split_loop_names(rf.rvar, 1).back();
    FuncSchedule gs;
    for (const auto &gst : g.stages)
        gs.stages.push_back(sample_stage(g, gst, target, rng, 0.6, inner ? rf.var : "", inner ? "" : rf.var));
    s.funcs[gname] = gs;
    EffectiveAnalysis ev(a, s);
    if (ev.why().empty()) sample_placement(ev.get(), target, s, ev.get().func(gname), rng);
}

void sample_rfactors(const PipelineAnalysis &a, const Halide::Target &target, Schedule &s, const FuncInfo &f,
                     Rng &rng, double p) {
    for (size_t i = 1; i < f.stages.size(); i++) {
        if (!can_rfactor(f.stages[i])) continue;
        std::vector<RFactor> choices = rfactor_choices(f, f.stages[i]);
        if (choices.empty() || !chance(rng, p)) continue;
        set_rfactor(a, target, s, f, (int)i, pick(choices, rng), rng);
    }
}

void mutate_tile_factor(const StageInfo &stage, const FuncInfo &f, const Halide::Target &target,
                        StageSchedule &st, Rng &rng) {
    if (st.splits.empty()) {
        RFactor rf = st.rfactor;
        st = sample_stage(f, stage, target, rng, st.parallel.empty() ? 0.2 : 0.9);
        st.rfactor = rf;
        return;
    }
    DimSplit &d = st.splits[std::uniform_int_distribution<size_t>(0, st.splits.size() - 1)(rng)];
    size_t which = std::uniform_int_distribution<size_t>(0, d.factors.size() - 1)(rng);
    int &factor = d.factors[which];
    factor = chance(rng, 0.5) ? factor * 2 : std::max(2, factor / 2);
}

void mutate_vector_width(const StageInfo &stage, const FuncInfo &f, const Halide::Target &target,
                         StageSchedule &st, Rng &rng) {
    if (st.vectorize.empty()) {
        mutate_tile_factor(stage, f, target, st, rng);
        return;
    }
    for (auto &d : st.splits) {
        if (split_loop_names(d.var, d.factors.size()).back() != st.vectorize) continue;
        int lanes = native_lanes(target, f.type);
        int w = d.factors.back();
        std::vector<int> widths;
        for (int m : {1, 2, 4})
            if (lanes * m != w) widths.push_back(lanes * m);
        d.factors.back() = pick(widths, rng);
        for (size_t k = d.factors.size() - 1; k-- > 0;) {
            if (d.factors[k] <= d.factors[k + 1]) d.factors[k] = d.factors[k + 1] * 2;
            if (d.factors[k] % d.factors[k + 1] != 0)
                d.factors[k] = (d.factors[k] / d.factors[k + 1] + 1) * d.factors[k + 1];
        }
    }
}

void mutate_parallel(const StageInfo &stage, StageSchedule &st, Rng &rng, bool prefer_parallel) {
    LoopNest nest = loop_nest(stage, st);
    std::vector<std::string> cand;
    for (auto it = nest.loops.rbegin(); it != nest.loops.rend() && cand.size() < 2; ++it) {
        if (nest.is_rvar(*it) || *it == st.vectorize || contains(st.unroll, *it)) break;
        cand.push_back(*it);
    }
    std::vector<std::vector<std::string>> options = {{}};
    if (!cand.empty()) options.push_back({cand[0]});
    if (cand.size() == 2) options.push_back({cand[1], cand[0]});
    options.erase(std::remove(options.begin(), options.end(), st.parallel), options.end());
    if (!options.empty()) st.parallel = pick(options, rng);
}

void mutate_unroll(const StageInfo &stage, StageSchedule &st, Rng &rng) {
    LoopNest nest = loop_nest(stage, st);
    std::vector<std::string> cand;
    for (const auto &l : nest.loops)
        if (nest.constant.count(l) && l != st.vectorize && nest.extent.at(l) <= 16) cand.push_back(l);
    if (cand.empty()) return;
    const std::string &l = pick(cand, rng);
    auto it = std::find(st.unroll.begin(), st.unroll.end(), l);
    if (it != st.unroll.end())
        st.unroll.erase(it);
    else
        st.unroll.push_back(l);
}

void mutate_tail(const StageInfo &stage, StageSchedule &st, Rng &rng) {
    std::vector<DimSplit *> cand;
    for (auto &d : st.splits)
        if (!stage.is_rvar(d.var)) cand.push_back(&d);
    if (cand.empty()) return;
    DimSplit &d = *pick(cand, rng);
    // Updates never shift inwards (validate_tails).
    std::vector<std::string> options = {"", "round_up", "guard"};
    if (stage.index == 0) options.push_back("shift_inwards");
    options.erase(std::remove(options.begin(), options.end(), d.tail), options.end());
    d.tail = pick(options, rng);
}

namespace {

double log10_stage(const StageInfo &stage) {
    double total = 0;
    for (const auto &v : stage.pure_vars) {
        int e = stage.extent.count(v) ? stage.extent.at(v) : 1;
        double p = pow2_between(2, std::min(e, 256)).size();
        total += std::log10(1 + p + p * (p - 1) / 2);  // unsplit, one level, two levels
    }
    for (const auto &r : stage.rvars) {
        int e = stage.extent.count(r) ? stage.extent.at(r) : 1;
        total += std::log10(1 + pow2_between(2, std::min(e, 16)).size());
    }
    return total + std::log10(2.0 * 3.0 * 3.0);  // vectorize on/off, parallel none/1/2, reduction position
}

}  // namespace

double log10_choices(const PipelineAnalysis &a, const Halide::Target &target, const FuncInfo &f) {
    // Placements: root, inline, and compute_at each loop level of a single consumer (>= 2).
    double places = f.is_output ? 1 : (1 + (f.can_inline ? 1 : 0) + (f.uses.size() == 1 ? 2 : 0));
    double total = std::log10(places);
    for (const auto &stage : f.stages) {
        // Without rfactor, plus each rfactor with its merge stage and intermediate (placed root
        // or at the merge's outermost loop): sum the counts (in log space).
        double plain = log10_stage(stage), sum = 1;
        for (const RFactor &rf : rfactor_choices(f, stage)) {
            FuncInfo g = rfactor_intermediate(f, stage, rf);
            double with = log10_stage(rfactor_merge_stage(f, stage, rf)) + std::log10(2.0);
            for (const auto &gst : g.stages) with += log10_stage(gst);
            sum += std::pow(10.0, std::min(300.0, with - plain));
        }
        total += plain + std::log10(sum);
    }
    return total;
}

}  // namespace htune
