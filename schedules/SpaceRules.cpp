// The space's validity rules and the facts they share with sampling (see SpaceRules.h):
// effective uses, inline expansion, placement loops, the root size limit, validate_func.
// Sampling is in SpaceSampling.cpp, mutations and the size count in SpaceMutations.cpp.
#include "schedules/SpaceRules.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "schedules/Apply.h"
#include "schedules/AtRegion.h"
#include "schedules/Loops.h"
#include "schedules/RFactor.h"
#include "schedules/RuleHelpers.h"
#include "schedules/Wrappers.h"

namespace htune {

using namespace rules;

namespace {

// "" when loop `fs.at_loop` of `fs.at_func` encloses every stage in `uses` (each computed,
// through a chain of compute_at, at that loop or a loop inside it), else the reason. apply()
// names the loop without a stage index, which Halide 14 matches against every stage of the
// enclosing Func: so the loop must belong to stage `fs.at_stage` alone (any loop of a
// single-stage Func; the RVar loop of one update, as Adams2019 computes lens blur's cost per
// disparity inside argmin's reduction).
std::string enclosing_reason(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f,
                             const FuncSchedule &fs, const std::set<std::pair<std::string, int>> &uses) {
    const std::string not_consumer = f.name + ": is computed at " + fs.at_func + " stage " +
                                     std::to_string(fs.at_stage) + ", which does not consume it";
    auto git = s.funcs.find(fs.at_func);
    if (!a.has(fs.at_func) || git == s.funcs.end() || fs.at_stage < 0 ||
        fs.at_stage >= (int)git->second.stages.size() ||
        git->second.stages.size() != a.func(fs.at_func).stages.size())
        return not_consumer;
    const FuncInfo &g = a.func(fs.at_func);
    auto stage_loops = [&](size_t k) {
        const StageSchedule &st = git->second.stages[k];
        return final_loops(loop_nest(g.stages[k], st), st);
    };
    std::vector<std::string> loops = stage_loops(fs.at_stage);
    for (size_t k = 0; k < g.stages.size(); k++)
        if ((int)k != fs.at_stage && contains(stage_loops(k), fs.at_loop))
            return not_consumer + ", and its loop '" + fs.at_loop + "' is also a loop of stage " +
                   std::to_string(k);
    int at = index_of(loops, fs.at_loop);
    if (at < 0) return not_consumer;
    for (const auto &u : uses) {
        if (u.first == fs.at_func && u.second == fs.at_stage) continue;  // (it consumes f itself)
        const FuncSchedule *c = computed_under(s, u.first, fs.at_func);
        int l = c && c->at_stage == fs.at_stage ? index_of(loops, c->at_loop) : -1;
        if (l < 0 || l > at)
            return not_consumer + " nor encloses its consumer " + u.first + " (computed at or inside loop '" +
                   fs.at_loop + "')";
    }
    return "";
}

}  // namespace

std::vector<std::string> placement_loops(const FuncInfo &g, int stage, const StageSchedule &st,
                                         bool unrolled_ok, bool rvar_ok) {
    LoopNest nest = loop_nest(g.stages[stage], st);
    std::vector<std::string> out;
    for (const auto &l : final_loops(nest, st))
        if (l != st.vectorize && (unrolled_ok || !contains(st.unroll, l)) && (rvar_ok || !nest.is_rvar(l)))
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
        // Halide accepts RoundUp on an update's pure var at the first level only ("Can't use
        // TailStrategy::RoundUp for splitting n.n_t in update definition": a mutated matmul and
        // max_filter schedule in a tuning run).
        if (stage.index != 0 && d.tail == "round_up" && d.factors.size() > 1)
            return where + "' in " + std::to_string(d.factors.size()) +
                   " levels (Halide rounds up only one level of an update's split)";
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
        // Rounded up, an inner level that does not divide the one outside it spills into the
        // next tile, and the last tile's past the caller's buffer.
        for (size_t k = 1; d.tail == "round_up" && k < d.factors.size(); k++)
            if (d.factors[k - 1] % d.factors[k] != 0)
                return where +
                       "' (an inner factor that does not divide its outer one would write past the "
                       "output)";
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
// A Func computed inside another's loops is also held to the region it computes per iteration
// (`region`; `full` its args equal in the last iteration too): a 32-wide split of a 16-channel
// block shifts to channel -16. A rounded-up split computes past that region (or the whole
// extent at the root) unless its factor divides it in every iteration, and its inner levels
// their outer ones: conv2d's 5-column block split by 4 rounds up to 8 and reads past the
// input's last column. Both are refused where the Func's reads of an input, its own or through
// producers computed with it, are unbounded along that dimension (reads_input_past): a finer
// test than overcompute_safe, whose whole-Func verdict would refuse tiles that compute the
// reference (harris' input_clamped leaves only its channels unclamped; local_laplacian's
// pyramid levels read clamped Funcs).
namespace {

// `growing`: f and every Func computed inside the loops of one of them (computed with f).
bool reads_input_past(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f, const std::string &arg,
                      const std::set<std::string> &growing,
                      std::set<std::pair<std::string, std::string>> &seen) {
    if (contains(f.input_unbounded_args, arg)) return true;
    auto reads = f.producers_read_past.find(arg);
    if (reads == f.producers_read_past.end()) return false;
    for (const auto &[producer, dims] : reads->second) {
        auto ps = s.funcs.find(producer);
        if (!a.has(producer) || ps == s.funcs.end()) continue;
        if (ps->second.placement != Placement::inline_ && !growing.count(producer)) continue;
        const FuncInfo &p = a.func(producer);
        for (size_t d : dims)
            if (d < p.args.size() && seen.insert({producer, p.args[d]}).second &&
                reads_input_past(a, s, p, p.args[d], growing, seen))
                return true;
    }
    return false;
}

}  // namespace

bool reads_input_past(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f,
                      const std::string &arg) {
    std::set<std::string> growing = {f.name};
    for (bool more = true; more;) {
        more = false;
        for (const auto &[name, fs] : s.funcs)
            if (fs.placement == Placement::at && growing.count(fs.at_func) && growing.insert(name).second)
                more = true;
    }
    std::set<std::pair<std::string, std::string>> seen = {{f.name, arg}};
    return reads_input_past(a, s, f, arg, growing, seen);
}

std::string validate_tile_sizes(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f,
                                const FuncSchedule &fs, const StageInfo &stage, const StageSchedule &st,
                                const ConstantRegion &region, const ConstantRegion &full) {
    for (const DimSplit &d : st.splits) {
        if (d.factors.empty()) continue;
        const int whole = stage.extent.count(d.var) ? stage.extent.at(d.var) : 1;
        const bool per_iteration = !stage.is_rvar(d.var) && region.count(d.var);
        const int ext = per_iteration ? region.at(d.var) : whole;
        const Halide::TailStrategy tail = tail_strategy(d, f, fs, stage);
        auto exceeds = [&](int e) {
            return f.name + " stage " + std::to_string(stage.index) + ": split factor " +
                   std::to_string(d.factors[0]) + " of '" + d.var + "' exceeds its extent " + std::to_string(e);
        };
        if (tail == Halide::TailStrategy::GuardWithIf) {
            if (d.factors[0] > kMaxTileOverExtent * whole)
                return exceeds(whole) + " more than " + std::to_string(kMaxTileOverExtent) + " times";
            continue;
        }
        const bool unbounded_here = reads_input_past(a, s, f, d.var);
        if (d.factors[0] > whole) {
            const std::string where = exceeds(whole);
            if (d.factors[0] > kMaxTileOverExtent * whole)
                return where + " more than " + std::to_string(kMaxTileOverExtent) + " times";
            if (f.is_output) return where + " and an output's tile must guard its tail";
            if (!overcompute_safe(a, f))
                return where +
                       " and its tail is not guarded, while it or a Func it reads reads an input "
                       "without a boundary condition";
            continue;
        }
        if (d.factors[0] > ext) {
            if (unbounded_here)
                return exceeds(ext) + " per iteration and its tail is not guarded, while it reads an " +
                       "input without a boundary condition along it";
            continue;
        }
        if (tail != Halide::TailStrategy::RoundUp || f.is_output) continue;  // outputs: validate_tails
        bool spills = ext % d.factors[0] != 0 || (per_iteration && !full.count(d.var));
        for (size_t k = 1; k < d.factors.size(); k++) spills = spills || d.factors[k - 1] % d.factors[k] != 0;
        if (spills && unbounded_here)
            return f.name + " stage " + std::to_string(stage.index) + ": split of '" + d.var +
                   "' rounded up past its extent " + std::to_string(ext) +
                   (per_iteration ? " per iteration" : "") +
                   ", while it reads an input without a boundary condition along it";
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
    const RegionInfo info = region_info(a, s, f);
    const ConstantRegion &region = info.constant;
    const ConstantRegion full = tail_free_region(info);
    if (fs.placement == Placement::at) {
        // Inside a consumer's loops the buffer holds at least the region computed per
        // iteration (its estimated extent where that is not constant): past Halide's 2^31-byte
        // limit it fails at run time ("Total allocation for buffer sum#0 is 2658140160", a
        // non-local means' 4-D sum computed per channel).
        double bytes = (double)f.type.bytes() * f.values;
        for (size_t d = 0; d < f.args.size(); d++)
            bytes *= region.count(f.args[d]) ? region.at(f.args[d]) : f.extent_known[d] ? f.extents[d] : 1;
        if (bytes >= kHalideBufferLimit) {
            char gb[32];
            snprintf(gb, sizeof gb, "%.2f GB", bytes / 1e9);
            return f.name + ": computed at " + fs.at_func + "." + fs.at_loop + " its buffer takes " + gb +
                   ", past Halide's 2^31-byte limit";
        }
    }
    for (size_t i = 0; i < fs.stages.size(); i++) {
        // Tile sizes first: a tile far larger than its dimension fails the vector and unroll
        // rules too, but this is the reason.
        std::string why = validate_tile_sizes(a, s, f, fs, f.stages[i], fs.stages[i], region, full);
        if (!why.empty()) return why;
        why = validate_stage(f.name, f.stages[i], fs.stages[i], max_lanes, region);
        if (!why.empty()) return why;
        why = validate_tails(f, f.stages[i], fs.stages[i]);
        if (!why.empty()) return why;
        why = predicated_unroll_reason(f, f.stages[i], fs.stages[i]);
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
    LoopNest nest = loop_nest(g.stages[fs.at_stage], gst);
    std::vector<std::string> loops = final_loops(nest, gst);
    auto allowed = placement_loops(g, fs.at_stage, gst, /*unrolled_ok=*/true, /*rvar_ok=*/true);
    if (!contains(allowed, fs.at_loop))
        return f.name + ": loop '" + fs.at_loop + "' of " + fs.at_func + " stage " +
               std::to_string(fs.at_stage) + " does not exist or is vectorized";
    if (!fs.store_loop.empty()) {
        if (!contains(allowed, fs.store_loop))
            return f.name + ": store loop '" + fs.store_loop + "' of " + fs.at_func + " does not exist";
        int ci = index_of(loops, fs.at_loop), si = index_of(loops, fs.store_loop);
        if (si < ci) return f.name + ": stored inside the loop it is computed at";
        if (si > ci) {
            std::string why = sliding_update_reason(f, fs, info, nest, loops[ci]);
            if (!why.empty()) return why;
            why = nested_windows_reason(a, s, f, fs, loops, si);
            if (!why.empty()) return why;
        }
        if (si > ci + 1) {
            std::string why = hoisted_storage_reason(f, nest, gst, loops, ci, si, info);
            if (!why.empty())
                return f.name + ": stored more than one loop outside where it is computed, " + why;
        }
        if (!gst.parallel.empty()) {
            int pi = index_of(loops, fused_loop_name(gst.parallel));
            if (pi >= ci && pi < si)
                return f.name + ": stored outside a parallel loop it is computed inside (a race)";
        }
    }
    if (fs.store_with_consumer) {
        if (!fs.store_loop.empty())
            return f.name + ": stored both at loop '" + fs.store_loop + "' and with its consumer";
        std::string why = store_with_consumer_reason(f, g, gs, nest, loops, fs.at_loop);
        if (!why.empty()) return f.name + ": stored where " + g.name + " is computed, " + why;
    }
    std::string why = multi_level_split_reason(f, fs, full);
    if (!why.empty()) return why;
    return strided_load_reason(a, target, s, f, fs, region);
}

// Storage at g's own compute_at loop (FuncSchedule::store_with_consumer), the one form Adams2019
// writes (unsharp's gray: computed at detail's outermost loop y, stored at output's x, where
// detail is computed): it computes the reference. Kept to that form, one loop outside where f
// is computed, as the same-Func hoisting rules found (hoisted_storage_reason): f and g single-
// stage, f computed at g's outermost loop, a pure serial one, g computed inside another Func's
// loops and stored where it is computed.
std::string store_with_consumer_reason(const FuncInfo &f, const FuncInfo &g, const FuncSchedule &gs,
                                       const LoopNest &nest, const std::vector<std::string> &loops,
                                       const std::string &at_loop) {
    if (f.stages.size() > 1) return "and it has update stages";
    if (g.stages.size() > 1) return "which has update stages";
    if (gs.placement != Placement::at) return "which is not computed inside another Func's loops";
    if (!gs.store_loop.empty() || gs.store_with_consumer) return "which is not stored where it is computed";
    if (loops.empty() || at_loop != loops.back()) return "from a loop other than its outermost";
    if (nest.is_rvar(at_loop)) return "sliding over the reduction loop '" + at_loop + "'";
    if (!gs.stages.empty() && !gs.stages[0].parallel.empty() &&
        fused_loop_name(gs.stages[0].parallel) == at_loop)
        return "outside the parallel loop it is computed in (a race)";
    return "";
}

// A Func stored outside the loop it is computed at, whose value moves its region: Halide 14
// slides the window along that loop. With an update stage that rounds up a split, it computed
// conv_layer's conv, stored at relu's fused_y_n and computed at x_o, past its region and read the
// input at x = 113 of 65 (a tuning run; the same split guarded, or the storage not hoisted,
// computes the reference; a rounded-up pure stage there does too). Refused for every split of
// an update stage: which of f's args the window slides along is not worked out here.
std::string sliding_update_reason(const FuncInfo &f, const FuncSchedule &fs, const RegionInfo &region,
                                  const LoopNest &nest, const std::string &compute_loop) {
    if (f.stages.size() < 2 || !moved_by_loop(region, nest, compute_loop)) return "";
    for (size_t i = 1; i < fs.stages.size(); i++)
        for (const DimSplit &d : fs.stages[i].splits)
            if (d.tail == "round_up")
                return f.name + " stage " + std::to_string(i) + ": rounds up its split of '" + d.var +
                       "' while stored outside the loop it is computed at, which slides its window";
    return "";
}

// f computed at a loop of its consumer's stage and stored further out (loops[si]); a consumer of
// f computed at the same loop stored further out still. Halide 14 gave wrong values when that
// consumer was stored two loops out over a loop of another dimension (the form
// hoisted_storage_reason allows) and f one loop out: unsharp_mask's gray at unsharp's y_i stored at
// y_o over x_o, its producer input_clamped stored at x_o (NaN); stencil_chain's f#2 and its
// repeat_edge alike (off by up to 16,656); both from a tuning run. Either storage alone, or both
// at the same loop, computes the reference.
std::string nested_windows_reason(const PipelineAnalysis &a, const Schedule &s, const FuncInfo &f,
                                  const FuncSchedule &fs, const std::vector<std::string> &loops, int si) {
    for (const auto &[consumer, stage] : effective_uses(a, s, f)) {
        auto cs = s.funcs.find(consumer);
        if (cs == s.funcs.end() || cs->second.placement != Placement::at) continue;
        const FuncSchedule &c = cs->second;
        if (c.at_func != fs.at_func || c.at_stage != fs.at_stage || c.at_loop != fs.at_loop) continue;
        if (c.store_loop.empty() || index_of(loops, c.store_loop) <= si) continue;
        return f.name + ": stored at '" + fs.store_loop + "', inside where its consumer " + consumer +
               ", computed at the same loop, is stored ('" + c.store_loop + "')";
    }
    return "";
}

// Storage hoisted over several loops (loops[si] stores, loops[ci] computes, si > ci + 1).
// Halide 14 slides the window over one of the loops in between and gives wrong values in
// three cases, each seen in sampled schedules whose storage was hoisted further (at test size,
// checked against the reference): another loop of the same dimension inside the one it slides
// over (harris: computed at x_m, stored at y_o over x_o: NaN); a reduction loop between or at
// the store (max_filter's repeat_edge computed inside maximum's pure loops, stored at an r$y
// loop); and a Func with update stages (unsharp's sum computed at x_i, stored at x_o over y_o).
// Over one loop between that moves the region, the cause is Halide's: sliding over that loop,
// Halide 14 warms the window up by moving the loop's min back to a value it solves from the
// region's min, and when that min also reads the var of a loop inside (between the loop and
// where f is computed), the value lifts that var out of its loop (halide/Halide#7891, fixed
// by #7896 in Halide 17). So the loop between may not move an arg that the compute loop's dim
// moves too: harris' x above; lens blur's repeat_edge#1, read at x - z by f#6, computed at a z
// loop and stored at x_o over x_m (wrong by 0.18: tests/data/schedules/
// lens_blur_gen_store_cross_dim_compute_moves.json).
// Stored at a loop of the compute loop's dimension, that is what Adams2019 writes (max_filter:
// repeat_edge computed at an x loop, stored over one y loop at the next x loop out). Stored at a
// loop of another dimension, it must be the split level just outside the loop between, of the
// same dim (nl_means' Adams2019 form: repeat_edge computed at an x loop, stored at y_o over
// y_i), and where f's region lies known per arg (AtRegion.h's arg_dims): lens blur's
// repeat_edge#1 computed at an x loop and stored at its 4th dim's loop over a z loop was wrong by
// 0.19 (lens_blur_gen_store_other_dim.json), and resnet_block's batchnorm computed at conv2's x_i
// and stored at y_i over y_m (an inner level ordered outside) read its input at -1
// (resnet_block_store_over_outer_level_inside.json). Over a loop that leaves f's region where
// it is, there is nothing to slide: Adams2019 stores local_laplacian's 2-D f#0, computed at the
// output's yiii, at its xi over the c loop between, so that its rows are kept across the three
// channels; it computes the reference.
std::string hoisted_storage_reason(const FuncInfo &f, const LoopNest &nest, const StageSchedule &st,
                                   const std::vector<std::string> &loops, int ci, int si,
                                   const RegionInfo &region) {
    if (f.stages.size() > 1) return "and it has update stages";
    for (int i = ci + 1; i <= si; i++)
        if (nest.is_rvar(loops[i])) return "over the reduction loop '" + loops[i] + "'";
    if (si > ci + 2) return "over more than one loop between";
    auto dim_of = [&](const std::string &loop) { return nest.dim.count(loop) ? nest.dim.at(loop) : loop; };
    const std::string &compute = loops[ci], &between = loops[ci + 1], &store = loops[si];
    if (!moved_by_loop(region, nest, between)) return "";
    if (dim_of(between) == dim_of(compute)) return "over two loops of '" + dim_of(between) + "'";
    for (const auto &[arg, dims] : region.arg_dims)
        if (dims.count(dim_of(between)) && dims.count(dim_of(compute)))
            return "over loop '" + between + "', which moves its '" + arg +
                   "' as the loop it is computed at does (Halide 14 warms the window up from a loop min "
                   "that reads the inner loop's var outside it)";
    if (dim_of(store) == dim_of(compute)) return "";
    if (!region.placed)
        return "at a loop of another dimension than the compute loop's, where its region's position is not "
               "known";
    const DimSplit *split = split_of(st, dim_of(between));
    std::vector<std::string> levels = split_loop_names(dim_of(between), split ? split->factors.size() : 0);
    auto level = std::find(levels.begin(), levels.end(), between);
    if (dim_of(store) != dim_of(between) || level == levels.begin() || level == levels.end() ||
        *(level - 1) != store)
        return "at a loop of another dimension than the compute loop's, not the split level just outside "
               "the loop between";
    return "";
}

// Two-level splits (GuardWithIf twice) of a Func computed inside another's loops, where the
// per-iteration region can be smaller than the tile, made Halide 14 compute wrong values (seen on
// max_filter and local_laplacian; one level is correct). apply() now writes guarded multi-level
// splits innermost first (Apply.cpp), which computes those two schedules right; but innermost
// first a middle loop runs past the extent in the last tile, so a Func computed there is computed
// past its region (resnet_block's batchnorm at relu1's x_m, relu1 split [8, 2], reads the input
// out of bounds: GuardedSplitTest), and sampled with tails inside tiles, local_laplacian crashed
// once in 50. Where there is no tail at all they are
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
            // extent is short), so the inner levels, dividing it, have no tail either. Shifted
            // inwards, an inner level that does not divide is whole too: its last tile moves back
            // inside the one outside it (rounded up, it would spill into the next tile's region:
            // such tiles stay dividing here).
            if (i == 0 && (d.tail == "shift_inwards" || d.tail == "round_up")) exact = d.factors[0] > 0;
            if (i == 0 && d.tail == "shift_inwards") continue;
            for (size_t k = 0; exact && k + 1 < d.factors.size(); k++)
                exact = d.factors[k + 1] > 0 && d.factors[k] % d.factors[k + 1] == 0;
            if (!exact)
                return f.name + ": a Func computed inside another's loops splits '" + d.var +
                       "' in more than one level only where no level has a tail (its extent per "
                       "iteration a constant, the same in the last iteration, that every factor divides)";
        }
    return "";
}

}  // namespace htune
