// Featurizer (see Featurizer.h): a light model of what a schedule makes Halide
// execute, per computed stage (realizations, points computed, loop trip counts,
// vector/parallel/unroll use, footprints against the caches), aggregated into
// fixed blocks. Everything is derived from PipelineAnalysis, so it works for
// any pipeline. Hot path: a few microseconds per stage. The parts are listed in
// FeaturizerImpl.h; this file is the public API and the scheduled pipeline of a
// schedule that rfactors or wraps Funcs.
#include "cost_model/Featurizer.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <string>

#include "cost_model/FeatureColumns.h"
#include "cost_model/FeaturizerImpl.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/RFactor.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"

namespace htune {

namespace {

// What makes a schedule's pipeline differ from the algorithm: its rfactors and its wrappers.
std::string structure_key(const Schedule &s) {
    std::string key;
    for (const auto &[name, f] : s.funcs) {
        for (size_t i = 0; i < f.stages.size(); i++) {
            const RFactor &rf = f.stages[i].rfactor;
            if (!rf.empty())
                key += name + "/" + std::to_string(i) + ":" + rf.rvar + "," + std::to_string(rf.factor) +
                       "," + rf.keep + "," + rf.var + ";";
        }
        if (!f.wrap.empty()) {
            key += name + ">";
            for (const std::string &g : f.wrap) key += g + ",";
            key += ";";
        }
    }
    return key;
}

}  // namespace

std::vector<float> Featurizer::Static::scheduled_features(const Schedule &s,
                                                          std::vector<float> *stages) const {
    const std::string key = structure_key(s);
    if (key.empty()) return features(s, stages);
    std::shared_ptr<const Static> st;
    {
        std::lock_guard<std::mutex> lock(scheduled_mutex);
        auto it = scheduled.find(key);
        if (it != scheduled.end()) st = it->second;
    }
    if (!st) {
        EffectiveAnalysis effective(*analysis, s);
        // An illegal rfactor or wrap: featurized against the algorithm, like any schedule that
        // does not fit (its entries count as extra Funcs).
        if (!effective.why().empty() || &effective.get() == analysis.get()) return features(s, stages);
        st = std::make_shared<const Static>(std::make_shared<const PipelineAnalysis>(effective.get()), target,
                                            threads, caches);
        std::lock_guard<std::mutex> lock(scheduled_mutex);
        // A search meets a handful of structures per pipeline; past 256 the oldest are not
        // kept (any of them is rebuilt when needed: the same rows, only slower).
        if (scheduled.size() >= 256) scheduled.erase(scheduled.begin());
        scheduled.emplace(key, st);
    }
    return st->features(s, stages);
}

Featurizer::Featurizer(const Workload &w, const Halide::Target &target, int threads,
                       const MachineCaches &caches) {
    auto analysis = std::make_shared<const PipelineAnalysis>(w.build());
    static_ = std::make_shared<const Static>(std::move(analysis), target, threads, caches);
}

Featurizer::Featurizer(const ScheduleSpace &space, int threads, const MachineCaches &caches) {
    // The space owns the analysis: a non-owning shared_ptr (the space must
    // outlive us).
    std::shared_ptr<const PipelineAnalysis> analysis(&space.analysis(), [](const PipelineAnalysis *) {});
    static_ = std::make_shared<const Static>(std::move(analysis), space.target(), threads, caches);
}

Featurizer::~Featurizer() = default;

int Featurizer::threads() const { return static_->threads; }

const MachineCaches &Featurizer::caches() const { return static_->caches; }

std::vector<float> Featurizer::features(const Schedule &s) const { return static_->scheduled_features(s); }

std::vector<std::vector<float>> Featurizer::stage_features(const Schedule &s) const {
    std::vector<float> flat;
    static_->scheduled_features(s, &flat);
    const size_t cols = featurizer::kNumStage + featurizer::kNumGlobal;
    std::vector<std::vector<float>> out;
    for (size_t i = 0; i + cols <= flat.size(); i += cols)
        out.emplace_back(flat.begin() + i, flat.begin() + i + cols);
    return out;
}

FeatureMatrix Featurizer::featurize(const std::vector<Schedule> &batch) const {
    FeatureMatrix m(feature_schema(), batch.size());
    const size_t cols = m.cols();
    for (size_t i = 0; i < batch.size(); i++) {
        std::vector<float> row = static_->scheduled_features(batch[i]);
        std::copy(row.begin(), row.end(), m.values.begin() + i * cols);
    }
    return m;
}

const FeatureSchema &feature_schema() {
    static const FeatureSchema schema{"htune-features", 3, featurizer::column_names()};
    return schema;
}

}  // namespace htune
