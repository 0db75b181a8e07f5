// FakeCostModel (see FakeCostModel.h): the same input checks as the real model, then a plain
// function of each row, so tuner tests run in milliseconds with a known ranking.
#include "tests/support/FakeCostModel.h"

#include "ops/Error.h"

namespace htune {

FakeCostModel::FakeCostModel(ScoreFn score) : score_(std::move(score)) {
    if (!score_)
        score_ = [](const float *row, std::size_t cols) {
            float s = 0;
            for (std::size_t c = 0; c < cols; ++c) s += row[c];
            return -s;
        };
}

void FakeCostModel::train(const FeatureMatrix &x, const std::vector<double> &t,
                          const std::vector<GroupId> &g) {
    check_training_data(x, t, g, "train");
    ++train_calls;
    last_train_rows = x.rows;
    set_trained(x.schema);
}

void FakeCostModel::update(const FeatureMatrix &x, const std::vector<double> &t,
                           const std::vector<GroupId> &g) {
    check_training_data(x, t, g, "update");
    ++update_calls;
    last_train_rows = x.rows;
    set_trained(x.schema);
}

std::vector<float> FakeCostModel::predict(const FeatureMatrix &x) const {
    if (!trained_) throw_usage("predict: the cost model is not trained (call train, update or load first)");
    check_schema(schema_, x.schema, "predict");
    x.check_valid("predict");
    ++predict_calls;
    std::vector<float> out(x.rows);
    for (std::size_t r = 0; r < x.rows; ++r) out[r] = score_(x.row(r), x.cols());
    return out;
}

void FakeCostModel::set_trained(const FeatureSchema &schema) {
    schema_ = schema;
    trained_ = true;
}

ModelBlob FakeCostModel::to_blob() const {
    ModelBlob blob;
    blob.schema = schema_;
    return blob;
}

void FakeCostModel::from_blob(const ModelBlob &blob) { set_trained(blob.schema); }

}  // namespace htune
