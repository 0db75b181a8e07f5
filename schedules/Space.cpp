// ScheduleSpace: validity, sampling, mutation, size (see Space.h). The heuristic lives in
// Heuristic.cpp. Everything is derived from PipelineAnalysis: no per-operator knowledge.
#include "schedules/Space.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "ops/Error.h"
#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/SpaceRules.h"

namespace htune {

ScheduleSpace::ScheduleSpace(const Workload &w, const Halide::Target &target)
    : analysis_(std::make_unique<PipelineAnalysis>(w.build())), target_(target) {}

ScheduleSpace::~ScheduleSpace() = default;

std::string ScheduleSpace::validate(const Schedule &s) const {
    if (s.version != kScheduleSchemaVersion) return "schedule schema version " + std::to_string(s.version);
    const PipelineAnalysis &a = *analysis_;
    for (const auto &kv : s.funcs)
        if (!a.has(kv.first)) return "Func '" + kv.first + "' is not in this pipeline";
    for (const FuncInfo &f : a.funcs()) {
        auto it = s.funcs.find(f.name);
        if (it == s.funcs.end()) return f.name + ": missing from the schedule";
        std::string why = validate_func(a, target_, s, f);
        if (!why.empty()) return why;
    }
    return "";
}

Schedule ScheduleSpace::sample(std::mt19937_64 &rng) const {
    const PipelineAnalysis &a = *analysis_;
    for (int attempt = 0; attempt < 100; attempt++) {
        Schedule s;
        // Consumers first: a producer's compute_at needs its consumer's loops.
        for (auto it = a.funcs().rbegin(); it != a.funcs().rend(); ++it) {
            FuncSchedule fs;
            fs.stages = sample_stages(*it, target_, rng, it->is_output ? 0.9 : 0.6);
            s.funcs[it->name] = fs;
            sample_placement(a, target_, s, *it, rng);
        }
        if (validate(s).empty()) return s;
    }
    throw Error(ErrorKind::internal, "could not sample a valid schedule in 100 attempts");
}

Schedule ScheduleSpace::mutate(const Schedule &in, std::mt19937_64 &rng) const {
    const PipelineAnalysis &a = *analysis_;
    std::string h0 = schedule_hash(in);
    for (int attempt = 0; attempt < 50; attempt++) {
        Schedule s = in;
        const FuncInfo &f = a.funcs()[std::uniform_int_distribution<size_t>(0, a.funcs().size() - 1)(rng)];
        FuncSchedule &fs = s.funcs[f.name];
        int kind = std::uniform_int_distribution<int>(0, 5)(rng);
        if (kind == 0 || fs.placement == Placement::inline_) {
            // Placement: resample where this Func is computed.
            sample_placement(a, target_, s, f, rng, /*force_change=*/true);
        } else {
            size_t si = std::uniform_int_distribution<size_t>(0, fs.stages.size() - 1)(rng);
            StageSchedule &st = fs.stages[si];
            const StageInfo &stage = f.stages[si];
            switch (kind) {
            case 1: mutate_tile_factor(stage, f, target_, st, rng); break;
            case 2: mutate_vector_width(stage, f, target_, st, rng); break;
            case 3: mutate_parallel(stage, st, rng, f.is_output || fs.placement == Placement::root); break;
            case 4: mutate_unroll(stage, st, rng); break;
            default: st = sample_stages(f, target_, rng, 0.7)[si]; break;  // a new loop nest
            }
        }
        repair_placements(a, target_, s, rng);
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
