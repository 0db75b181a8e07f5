// CostModel: the seam between the tuner and whatever ranks candidates (DESIGN.md, "Cost model").
// Batches in, batches out: train/update on measured rows, predict scores for candidate rows.
// Start here; the XGBoost implementation is XgbModel.cpp, the test fake tests/support/FakeCostModel.h.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cost_model/FeatureMatrix.h"

namespace htune {

// Rows with the same GroupId (one workload) are ranked against each other; rows of different
// groups are never compared, because times of different workloads are not comparable.
using GroupId = std::uint32_t;

// What to_bytes() produces before the implementation's payload: a model's "kind", the schema
// it was trained on, and implementation metadata. Exposed so that callers (db/, tests) can
// inspect a stored model without loading it.
struct ModelBlob {
    std::string kind;  // "xgboost", "fake": from_bytes refuses another kind's blob
    FeatureSchema schema;
    nlohmann::json meta = nlohmann::json::object();
    std::vector<std::uint8_t> payload;
};
std::vector<std::uint8_t> pack_model_blob(const ModelBlob &blob);
ModelBlob unpack_model_blob(const std::vector<std::uint8_t> &bytes);  // throws Error(io) if corrupt

// Checks one training batch; throws Error(usage): "no training data" for zero rows, size
// mismatches, NaN/inf features, and times that are not finite and > 0 (name the row).
void check_training_data(const FeatureMatrix &features, const std::vector<double> &times_s,
                         const std::vector<GroupId> &groups, const std::string &what);

// Not thread-safe: one thread at a time per instance (the tuner owns its model). Every method
// throws htune::Error (usage for bad input, xgboost for library failures, io for files).
class CostModel {
public:
    virtual ~CostModel() = default;

    // Full retrain from nothing on exactly these rows; adopts features.schema.
    // times_s[r]: measured time of row r in seconds (finite, > 0; status == ok rows only, a
    // failed candidate has no time). groups[r]: the workload of row r. Rows of a group need
    // not be contiguous. Throws Error(usage, "no training data ...") when there are no rows.
    virtual void train(const FeatureMatrix &features, const std::vector<double> &times_s,
                       const std::vector<GroupId> &groups) = 0;

    // After each measured batch: retrain on all the rows given (the caller passes everything
    // it wants learned, not just the new batch). An implementation may warm-start from the
    // current model (e.g. a transfer model loaded from the database); then features.schema
    // must equal schema(). Untrained model: same as train().
    virtual void update(const FeatureMatrix &features, const std::vector<double> &times_s,
                        const std::vector<GroupId> &groups) = 0;

    // One score per row; higher = predicted faster. Scores are comparable only between rows
    // of the same workload (a ranking, not a time). Throws if untrained or if
    // features.schema != schema() (the message names both schemas).
    virtual std::vector<float> predict(const FeatureMatrix &features) const = 0;

    virtual bool is_trained() const = 0;
    // The schema the model was trained on (or loaded with); empty before that.
    virtual const FeatureSchema &schema() const = 0;

    // Self-describing bytes (pack_model_blob: header JSON with kind + schema, then payload),
    // for files and the database's models table. Throws if untrained.
    std::vector<std::uint8_t> to_bytes() const;
    // Replaces this model with the one in `bytes`. With `expected`, a model trained on another
    // schema is refused (Error(usage) naming both) and this model is left unchanged.
    void from_bytes(const std::vector<std::uint8_t> &bytes, const FeatureSchema *expected = nullptr);
    // File variants of the above; save writes `path` atomically (temp file + rename).
    void save(const std::string &path) const;
    void load(const std::string &path, const FeatureSchema *expected = nullptr);

protected:
    virtual ModelBlob to_blob() const = 0;
    virtual void from_blob(const ModelBlob &blob) = 0;  // blob.kind already checked
    virtual std::string kind() const = 0;
};

enum class Objective {
    rank_pairwise,  // rank:pairwise, one query group per workload, label -log(time)
    regression,     // reg:squarederror on log(best time in workload / time): for transfer
};
const char *to_string(Objective o);

// XGBoost hyperparameters, set explicitly (never XGBoost's defaults by accident) and stored
// with each run. Defaults are sized for tens to thousands of rows per workload: shallow trees
// (depth 4) generalized best from ~100 rows per workload on the synthetic tests (depth 6 lost
// ~2 points of held-out pairwise accuracy); revisit once real features exist.
struct XgbOptions {
    Objective objective = Objective::rank_pairwise;
    int rounds = 100;  // boosting rounds of a full (re)train
    int max_depth = 4;
    double eta = 0.2;  // learning rate
    double min_child_weight = 1.0;
    double subsample = 1.0;         // row subsampling per tree (seeded)
    double colsample_bytree = 1.0;  // column subsampling per tree (seeded)
    double lambda = 1.0;            // L2 regularization on leaf weights
    // XGBoost (OpenMP) threads for train and predict. 2 = the tuning machine's cores, right
    // when nothing else runs. On a busy machine spinning OpenMP threads are far slower than
    // one thread (rank:pairwise measured ~40x slower at 2 threads under load 7 on 2 cores):
    // use 1 when training overlaps with compiles.
    int nthread = 2;
    std::uint64_t seed = 0;  // same seed + same data -> same model bytes
    // update(): false = retrain from scratch every time (deterministic, bounded size);
    // true = keep the current trees (e.g. a transfer model) and add update_rounds trees fitted
    // on the given data; once the model would exceed max_rounds trees it retrains instead.
    bool warm_start = false;
    int update_rounds = 20;
    int max_rounds = 400;

    bool operator==(const XgbOptions &o) const;
};
void to_json(nlohmann::json &j, const XgbOptions &o);
void from_json(const nlohmann::json &j, XgbOptions &o);

// The XGBoost model (XgbModel.cpp). Throws Error(usage) for invalid options.
std::unique_ptr<CostModel> make_xgboost_model(const XgbOptions &options = {});

}  // namespace htune
