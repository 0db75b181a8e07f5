// FeatureSchema/FeatureMatrix helpers: JSON round-trip of the schema, the schema check with a
// message naming both sides, and the finite-value check every model entry point runs.
#include "cost_model/FeatureMatrix.h"

#include <cmath>

#include "ops/Error.h"

namespace htune {

std::string FeatureSchema::describe() const {
    return "'" + name + "' v" + std::to_string(version) + " (" + std::to_string(columns.size()) + " columns)";
}

void to_json(nlohmann::json &j, const FeatureSchema &s) {
    j = nlohmann::json{{"name", s.name}, {"version", s.version}, {"columns", s.columns}};
}

void from_json(const nlohmann::json &j, FeatureSchema &s) {
    if (!j.is_object() || !j.contains("name") || !j.contains("version") || !j.contains("columns"))
        throw_usage("feature schema needs 'name', 'version' and 'columns'");
    s.name = j.at("name").get<std::string>();
    s.version = j.at("version").get<int>();
    s.columns = j.at("columns").get<std::vector<std::string>>();
}

void check_schema(const FeatureSchema &expected, const FeatureSchema &actual, const std::string &what) {
    if (expected == actual) return;
    std::string msg = what + ": feature schema mismatch: model was trained on " + expected.describe() +
                      ", features are " + actual.describe();
    if (expected.name == actual.name && expected.version == actual.version) {
        // Same label, different columns: a featurizer change that forgot to bump the version.
        std::size_t n = std::min(expected.columns.size(), actual.columns.size()), i = 0;
        while (i < n && expected.columns[i] == actual.columns[i]) ++i;
        msg += "; same name and version but columns differ";
        if (i < n)
            msg += " at column " + std::to_string(i) + " ('" + expected.columns[i] + "' vs '" +
                   actual.columns[i] + "')";
        msg += " (bump the schema version)";
    }
    throw Error(ErrorKind::usage, msg);
}

FeatureMatrix::FeatureMatrix(FeatureSchema s, std::size_t n_rows)
    : schema(std::move(s)), rows(n_rows), values(n_rows * schema.columns.size(), 0.0f) {}

void FeatureMatrix::add_row(const std::vector<float> &row) {
    if (row.size() != cols())
        throw_usage("feature row has " + std::to_string(row.size()) + " values, schema " + schema.describe() +
                    " needs " + std::to_string(cols()));
    values.insert(values.end(), row.begin(), row.end());
    ++rows;
}

void FeatureMatrix::check_valid(const std::string &what) const {
    if (values.size() != rows * cols())
        throw_usage(what + ": feature matrix has " + std::to_string(values.size()) + " values, expected " +
                    std::to_string(rows) + " rows x " + std::to_string(cols()) + " columns");
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (std::isfinite(values[i])) continue;
        std::size_t r = i / cols(), c = i % cols();
        throw_usage(what + ": feature matrix has a non-finite value (" + std::to_string(values[i]) +
                    ") at row " + std::to_string(r) + ", column '" + schema.columns[c] + "' (index " +
                    std::to_string(c) + ")");
    }
}

FeatureMatrix select_rows(const FeatureMatrix &m, const std::vector<std::size_t> &index) {
    FeatureMatrix out(m.schema, 0);
    out.values.reserve(index.size() * m.cols());
    for (std::size_t r : index) {
        if (r >= m.rows)
            throw Error(ErrorKind::internal,
                        "select_rows: row " + std::to_string(r) + " >= " + std::to_string(m.rows));
        out.values.insert(out.values.end(), m.row(r), m.row(r) + m.cols());
        ++out.rows;
    }
    return out;
}

}  // namespace htune
