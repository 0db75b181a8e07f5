// Training data and stored models from the tuning database: what `htune retrain` trains on and
// what `htune tune` warm-starts from (DESIGN.md, "Cost model"). Start here; the command is
// tuner/cmd/RetrainCommand.cpp.
#pragma once

#include <Halide.h>

#include <memory>
#include <string>
#include <vector>

#include "cost_model/CostModel.h"
#include "cost_model/FeatureMatrix.h"
#include "cost_model/Metrics.h"
#include "db/Database.h"

namespace htune {

struct TrainingSet {
    FeatureMatrix features;                  // schema feature_schema()
    std::vector<double> times_s;             // per row: the record's min time in seconds (> 0)
    std::vector<GroupId> groups;             // per row: index into workload_keys
    std::vector<std::string> workload_keys;  // one per group id, in first-commit order
    // One per group id: the workload's operator, i.e. WorkloadSpec::op (the built-in operator's
    // or the Generator's registered name). Every parameter setting of an operator is one
    // operator, and so are a built-in and a Generator registered under the same name: holding
    // an operator out holds all of them out, so nothing of the same algorithm leaks into training.
    std::vector<std::string> workload_ops;
    std::size_t skipped_records = 0;  // ok records that could not be featurized (see below)
    // Per row, when asked for: Featurizer::stage_features of its schedule (one row per computed
    // stage), for models that score stages (tuner/bench/StageModelBench.cpp).
    std::vector<std::vector<std::vector<float>>> stage_rows;
};

// Every ok record of `device_key` (all workloads), featurized with one Featurizer per workload
// built for the device key's target and thread count. Workloads that cannot be rebuilt (e.g. a
// Generator library that is gone) or whose algorithm changed since they were measured (another
// structure hash) are skipped with one warning line each on stderr; so are records whose
// schedule this htune cannot read. Throws a usage Error for a malformed device key.
TrainingSet load_training_set(Database &db, const std::string &device_key, bool with_stage_rows = false);

// The newest stored model of the device type for the current feature_schema(), loaded into an
// XGBoost model with `options` (its objective comes from the stored model), or nullptr when
// there is none. A stored model that cannot be loaded gives a warning on stderr and nullptr.
std::unique_ptr<CostModel> load_stored_model(Database &db, const std::string &device_key,
                                             const XgbOptions &options = {});

// Honest held-out ranking metrics of one k-fold evaluation (Metrics.h definitions). Each fold's
// metrics are computed on its test rows only (scores of different fold models are never
// compared), then combined weighted by what each was computed on (pairs, groups).
struct HeldOut {
    bool available = false;
    std::string note;  // why not available, e.g. "n/a (needs 2 workloads)"
    int folds = 0;
    RankingMetrics metrics;
    // Pairwise accuracy per time_gap_bands() entry (Metrics.h), combined over folds like
    // `metrics`: where the model's ordering errors are (near-ties or clear differences).
    std::vector<MetricValue> pairwise_by_gap;
    std::size_t records = 0;    // test rows evaluated (every row once)
    std::size_t workloads = 0;  // workloads with something to rank in some test fold
};
enum class Holdout { operators, workloads, candidates };
// k-fold (k = min(folds, operators, workloads or rows)) over whole operators (every workload of
// an operator in one test fold), whole workloads, or candidates within each workload, training
// a fresh model with `options` per fold. Metrics rank within workloads. Deterministic for a seed.
HeldOut cross_validate(const TrainingSet &set, Holdout holdout, int folds, const XgbOptions &options,
                       std::uint64_t seed);

// The distinct operators of the set, in first-commit order.
std::vector<std::string> operators_of(const TrainingSet &set);
// k folds over whole operators (2 <= k <= operators): every workload of an operator is in the
// same test fold. Deterministic for a seed.
std::vector<Fold> kfold_by_operator(const TrainingSet &set, int k, std::uint64_t seed);
// One split that holds the named operators out: `test` = every row of a workload whose operator
// is named, `train` = every other row. Throws a usage Error naming an operator the set has no
// records of (listing those it has).
Fold hold_out_operators(const TrainingSet &set, const std::vector<std::string> &ops);
// The rows `rows` (ascending) of `set`, with group ids renumbered over the workloads they keep.
TrainingSet subset(const TrainingSet &set, const std::vector<std::size_t> &rows);
// Trains one fresh model on split.train and evaluates it on split.test (folds = 1).
HeldOut evaluate_split(const TrainingSet &set, const Fold &split, const XgbOptions &options);

// {"pairwise_accuracy", "pairs", "spearman", "top1_recall", "top5pct_recall", "records",
// "workloads", "folds", "pairwise_by_time_gap": [{"band", "min_ratio", "max_ratio" (null: no
// upper bound), "pairwise_accuracy", "pairs"}]} (values null when not available, plus "note").
nlohmann::json to_json(const HeldOut &h);

// The Halide target of a device key (the host target when its target part is not one Halide
// parses, with a warning). Throws a usage Error for a malformed key.
Halide::Target device_target(const std::string &device_key);

}  // namespace htune
