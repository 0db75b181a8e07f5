// FakeCostModel: a deterministic CostModel for tuner tests (no XGBoost, no training): scores
// come from a user function of each feature row, and every call is recorded for assertions.
// Serializes only its schema, so save/load and the database's models table can be exercised.
#pragma once

#include <functional>

#include "cost_model/CostModel.h"

namespace htune {

class FakeCostModel final : public CostModel {
public:
    // score(row, cols) -> higher = faster. The default scores -(sum of features), so rows
    // with smaller features rank first. `row` points at `cols` floats, valid during the call.
    using ScoreFn = std::function<float(const float *row, std::size_t cols)>;

    explicit FakeCostModel(ScoreFn score = nullptr);

    // Both record the call and adopt features.schema; they validate inputs like the real
    // model (so "no training data" etc. surface in tuner tests too).
    void train(const FeatureMatrix &x, const std::vector<double> &t, const std::vector<GroupId> &g) override;
    void update(const FeatureMatrix &x, const std::vector<double> &t, const std::vector<GroupId> &g) override;
    // Throws like the real model when untrained or on a schema mismatch.
    std::vector<float> predict(const FeatureMatrix &x) const override;

    bool is_trained() const override { return trained_; }
    const FeatureSchema &schema() const override { return schema_; }

    // Marks the fake trained on `schema` without data (tests that only need predict).
    void set_trained(const FeatureSchema &schema);

    int train_calls = 0, update_calls = 0;
    mutable int predict_calls = 0;
    std::size_t last_train_rows = 0;  // rows passed to the latest train/update

protected:
    std::string kind() const override { return "fake"; }
    ModelBlob to_blob() const override;
    void from_blob(const ModelBlob &blob) override;

private:
    ScoreFn score_;
    FeatureSchema schema_;
    bool trained_ = false;
};

}  // namespace htune
