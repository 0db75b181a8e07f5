// ScheduleSpace: validity, sampling, mutation, size (see Space.h). The heuristic lives in
// Heuristic.cpp, the sketches in Sketches.cpp (one SketchRule per family, sketches/).
// Everything is derived from PipelineAnalysis: no per-operator knowledge.
#include "schedules/Space.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <set>

#include "ops/Error.h"
#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/RFactor.h"
#include "schedules/SpaceRules.h"
#include "schedules/Wrappers.h"

namespace htune {

namespace {
// Chance that sampling rfactors an eligible update stage (an associative reduction).
constexpr double kRFactorChance = 0.25;
}  // namespace

ScheduleSpace::ScheduleSpace(const Workload &w, const Halide::Target &target)
    : analysis_(std::make_unique<PipelineAnalysis>(w.build())), target_(target) {}

ScheduleSpace::~ScheduleSpace() = default;

std::string ScheduleSpace::validate(const Schedule &s) const {
    if (s.version != kScheduleSchemaVersion) return "schedule schema version " + std::to_string(s.version);
    EffectiveAnalysis ev(*analysis_, s);
    if (!ev.why().empty()) return ev.why();
    const PipelineAnalysis &a = ev.get();
    for (const auto &kv : s.funcs)
        if (!a.has(kv.first)) return "Func '" + kv.first + "' is not in this pipeline";
    // Every Func present first: a producer's placement names its consumer, which comes later
    // in this order (an rfactor intermediate that a crossover left out, say).
    for (const FuncInfo &f : a.funcs())
        if (!s.funcs.count(f.name)) return f.name + ": missing from the schedule";
    for (const FuncInfo &f : a.funcs()) {
        std::string why = validate_func(a, target_, s, f);
        if (!why.empty()) return why;
    }
    return "";
}

Schedule ScheduleSpace::sample(std::mt19937_64 &rng) const {
    const PipelineAnalysis &a = *analysis_;
    for (int attempt = 0; attempt < 100; attempt++) {
        Schedule s;
        // Consumers first: a producer's compute_at needs its consumer's loops. A Func's
        // rfactors (chosen right after it) make its producers consumed by the intermediates.
        std::optional<PipelineAnalysis> with_rf;
        for (auto it = a.funcs().rbegin(); it != a.funcs().rend(); ++it) {
            const FuncInfo f = with_rf ? with_rf->func(it->name) : *it;
            FuncSchedule fs;
            fs.stages = sample_stages(f, target_, rng, f.is_output ? 0.9 : 0.6);
            s.funcs[f.name] = fs;
            sample_placement(with_rf ? *with_rf : a, target_, s, f, rng);
            if (s.funcs[f.name].placement == Placement::inline_) continue;
            size_t before = s.funcs.size();
            sample_rfactors(a, target_, s, *it, rng, kRFactorChance);
            if (s.funcs.size() != before) {
                std::string why;
                with_rf.emplace(with_rfactors(a, s, &why));
            }
        }
        if (validate(s).empty()) return s;
    }
    throw Error(ErrorKind::internal, "could not sample a valid schedule in 100 attempts");
}

Schedule ScheduleSpace::mutate(const Schedule &in, std::mt19937_64 &rng) const {
    std::string h0 = schedule_hash(in);
    for (int attempt = 0; attempt < 50; attempt++) {
        Schedule s = in;
        EffectiveAnalysis ev(*analysis_, s);
        const PipelineAnalysis &a = ev.get();
        const FuncInfo &f = a.funcs()[std::uniform_int_distribution<size_t>(0, a.funcs().size() - 1)(rng)];
        FuncSchedule &fs = s.funcs[f.name];
        int kind = std::uniform_int_distribution<int>(0, 9)(rng);
        std::vector<int> rfactorable;  // stages of f (a pipeline Func) that rfactor applies to
        if (analysis_->has(f.name) && fs.placement != Placement::inline_)
            for (size_t i = 1; i < f.stages.size(); i++)
                if (!rfactor_choices(analysis_->func(f.name), analysis_->func(f.name).stages[i]).empty())
                    rfactorable.push_back((int)i);
        std::vector<std::string> add;  // consumers f may get a private copy for (kind 9)
        if (kind == 9) add = wrap_candidates(*analysis_, s, f);
        if (kind == 6 && !rfactorable.empty()) {
            // rfactor: add one, change it, or remove it.
            const FuncInfo &orig = analysis_->func(f.name);
            int si = rfactorable[std::uniform_int_distribution<size_t>(0, rfactorable.size() - 1)(rng)];
            auto choices = rfactor_choices(orig, orig.stages[si]);
            RFactor rf;
            if (fs.stages[si].rfactor.empty() || std::uniform_int_distribution<int>(0, 1)(rng))
                rf = choices[std::uniform_int_distribution<size_t>(0, choices.size() - 1)(rng)];
            set_rfactor(*analysis_, target_, s, orig, si, rf, rng);
        } else if (kind == 9 && (!fs.wrap.empty() || !add.empty())) {
            // A private copy for one consumer (Func::in): add one, or drop one.
            if (!fs.wrap.empty() && (add.empty() || std::uniform_int_distribution<int>(0, 1)(rng))) {
                size_t i = std::uniform_int_distribution<size_t>(0, fs.wrap.size() - 1)(rng);
                s.funcs.erase(wrapper_func_name(f.name, fs.wrap[i]));
                fs.wrap.erase(fs.wrap.begin() + (long)i);
            } else {
                const std::string g = add[std::uniform_int_distribution<size_t>(0, add.size() - 1)(rng)];
                fs.wrap.push_back(g);
                EffectiveAnalysis wrapped(*analysis_, s);
                if (!wrapped.why().empty()) continue;
                const FuncInfo &w = wrapped.get().func(wrapper_func_name(f.name, g));
                s.funcs[w.name].stages = sample_stages(w, target_, rng, 0.3);
                sample_placement(wrapped.get(), target_, s, w, rng);
            }
        } else if (kind == 8 && fs.placement != Placement::inline_ && f.args.size() >= 2) {
            // Storage order: back to the default, or one dim moved innermost.
            if (!fs.storage.empty() && std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
                fs.storage.clear();
            } else {
                std::vector<std::string> order = fs.storage.empty() ? f.args : fs.storage;
                std::string inner = f.args[std::uniform_int_distribution<size_t>(0, f.args.size() - 1)(rng)];
                order.erase(std::find(order.begin(), order.end(), inner));
                order.insert(order.begin(), inner);
                fs.storage = order == f.args ? std::vector<std::string>{} : order;
            }
        } else if (kind == 0 || fs.placement == Placement::inline_) {
            // Placement: resample where this Func is computed.
            sample_placement(a, target_, s, f, rng, /*force_change=*/true);
        } else {
            size_t si = std::uniform_int_distribution<size_t>(0, fs.stages.size() - 1)(rng);
            StageSchedule &st = fs.stages[si];
            const StageInfo &stage = f.stages[si];
            switch (kind) {
                case 1:
                    mutate_tile_factor(stage, f, target_, st, rng);
                    break;
                case 2:
                    mutate_vector_width(stage, f, target_, st, rng);
                    break;
                case 3:
                    mutate_parallel(stage, st, rng, f.is_output || fs.placement == Placement::root);
                    break;
                case 4:
                    mutate_unroll(stage, st, rng);
                    break;
                case 7:
                    mutate_tail(stage, st, rng);
                    break;
                default: {  // a new loop nest
                    RFactor rf = st.rfactor;
                    st = sample_stage(f, stage, target_, rng, 0.7);
                    st.rfactor = rf;
                    break;
                }
            }
        }
        for (auto &kv : s.funcs)
            if (kv.second.placement == Placement::inline_) kv.second.storage.clear();
        EffectiveAnalysis after(*analysis_, s);
        if (!after.why().empty()) continue;
        repair_placements(after.get(), target_, s, rng);
        if (validate(s).empty() && schedule_hash(s) != h0) return s;
    }
    return sample(rng);  // a schedule with no valid neighbour is vanishingly rare; stay valid
}

double ScheduleSpace::log10_size() const {
    double total = 0;
    for (const FuncInfo &f : analysis_->funcs()) total += log10_choices(*analysis_, target_, f);
    return total;
}

}  // namespace htune
