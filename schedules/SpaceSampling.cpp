// Sampling of the schedule space (see SpaceRules.h): random loop nests, placements, rfactors,
// and the repair of placements a change made invalid.
#include <algorithm>
#include <set>

#include "schedules/Apply.h"
#include "schedules/AtRegion.h"
#include "schedules/Loops.h"
#include "schedules/RFactor.h"
#include "schedules/RuleHelpers.h"
#include "schedules/SpaceRules.h"
#include "schedules/Wrappers.h"

namespace htune {

using namespace rules;

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
        auto [inner, rv, outer] = loop_kinds(nest);
        for (auto *v : {&inner, &outer}) v->erase(std::remove(v->begin(), v->end(), vec_loop), v->end());
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
            unrolled * nest.extent.at(l) <= kMaxSampledUnrollProduct && chance(rng, 0.3)) {
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
        fs.store_with_consumer = false;
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
    fs.store_with_consumer = false;
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

}  // namespace htune
