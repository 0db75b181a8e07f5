// FeatureSchema and FeatureMatrix: the value types that flow from the featurizer into the cost
// model (CostModel.h). A matrix always carries the schema it was built with, so a model can
// refuse features of another schema instead of silently mispredicting.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace htune {

// Names one version of the featurizer's output. Bump `version` whenever the meaning or order
// of any column changes; a model trained on one schema refuses every other one.
struct FeatureSchema {
    std::string name;                  // e.g. "htune-features"
    int version = 0;                   // monotonically increasing per name
    std::vector<std::string> columns;  // one name per feature column, in column order

    bool operator==(const FeatureSchema &o) const {
        return name == o.name && version == o.version && columns == o.columns;
    }
    bool operator!=(const FeatureSchema &o) const { return !(*this == o); }
    // "name v3 (200 columns)": what error messages print.
    std::string describe() const;
};

void to_json(nlohmann::json &j, const FeatureSchema &s);
void from_json(const nlohmann::json &j, FeatureSchema &s);

// Throws Error(usage) naming both schemas (and the first differing column, when name and
// version agree) unless `expected` == `actual`. `what` says who is checking, e.g. "predict".
void check_schema(const FeatureSchema &expected, const FeatureSchema &actual, const std::string &what);

// Dense row-major float features: `values[r * cols() + c]`. Owns its storage (a plain value;
// copy is a deep copy). Unitless: units are whatever the schema's columns say.
struct FeatureMatrix {
    FeatureSchema schema;
    std::size_t rows = 0;
    std::vector<float> values;  // rows * cols() floats

    FeatureMatrix() = default;
    FeatureMatrix(FeatureSchema s, std::size_t n_rows);  // zero-filled
    std::size_t cols() const { return schema.columns.size(); }
    float &at(std::size_t r, std::size_t c) { return values[r * cols() + c]; }
    float at(std::size_t r, std::size_t c) const { return values[r * cols() + c]; }
    const float *row(std::size_t r) const { return values.data() + r * cols(); }
    // Appends one row; throws Error(usage) if row.size() != cols().
    void add_row(const std::vector<float> &row);

    // Throws Error(usage) if values.size() != rows * cols(), or naming the first NaN/inf
    // (row, column name): XGBoost would treat NaN as "missing", which hides featurizer bugs.
    void check_valid(const std::string &what) const;
};

// The rows `index` of `m`, in that order (indices must be < m.rows).
FeatureMatrix select_rows(const FeatureMatrix &m, const std::vector<std::size_t> &index);

// Same for any per-row vector (times, group ids, scores).
template <typename T>
std::vector<T> select_rows(const std::vector<T> &v, const std::vector<std::size_t> &index) {
    std::vector<T> out;
    out.reserve(index.size());
    for (std::size_t i : index) out.push_back(v.at(i));
    return out;
}

}  // namespace htune
