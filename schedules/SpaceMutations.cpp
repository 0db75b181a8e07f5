// The small mutations of one stage and the size count of the space (see SpaceRules.h).
#include <algorithm>
#include <cmath>

#include "schedules/Apply.h"
#include "schedules/AtRegion.h"
#include "schedules/Loops.h"
#include "schedules/RFactor.h"
#include "schedules/RuleHelpers.h"
#include "schedules/SpaceRules.h"
#include "schedules/Wrappers.h"

namespace htune {

using namespace rules;

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
