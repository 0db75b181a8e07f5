// The implementation-independent half of CostModel: the byte container (magic line, header
// JSON with kind + schema + meta, raw payload), input checks, file save/load, options JSON.
#include "cost_model/CostModel.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "ops/Error.h"

namespace htune {

namespace {
// Versioned magic so that a future container change is detected, not misparsed.
const std::string kMagic = "htune-cost-model 1\n";
}  // namespace

std::vector<std::uint8_t> pack_model_blob(const ModelBlob &blob) {
    nlohmann::json header{{"kind", blob.kind},
                          {"schema", blob.schema},
                          {"meta", blob.meta},
                          {"payload_bytes", blob.payload.size()}};
    std::string head = kMagic + header.dump() + "\n";  // dump() never emits a raw newline
    std::vector<std::uint8_t> out(head.begin(), head.end());
    out.insert(out.end(), blob.payload.begin(), blob.payload.end());
    return out;
}

ModelBlob unpack_model_blob(const std::vector<std::uint8_t> &bytes) {
    if (bytes.size() < kMagic.size() || !std::equal(kMagic.begin(), kMagic.end(), bytes.begin()))
        throw_io("not an htune cost model (bad magic line)");
    auto nl = std::find(bytes.begin() + kMagic.size(), bytes.end(), std::uint8_t('\n'));
    if (nl == bytes.end()) throw_io("corrupt htune cost model: header line is not terminated");
    ModelBlob blob;
    try {
        auto header = nlohmann::json::parse(bytes.begin() + kMagic.size(), nl);
        blob.kind = header.at("kind").get<std::string>();
        blob.schema = header.at("schema").get<FeatureSchema>();
        blob.meta = header.at("meta");
        std::size_t n = header.at("payload_bytes").get<std::size_t>();
        if (std::size_t(bytes.end() - (nl + 1)) != n)
            throw_io("corrupt htune cost model: payload is " + std::to_string(bytes.end() - (nl + 1)) +
                     " bytes, header says " + std::to_string(n));
    } catch (const nlohmann::json::exception &e) {
        throw_io(std::string("corrupt htune cost model header: ") + e.what());
    }
    blob.payload.assign(nl + 1, bytes.end());
    return blob;
}

void check_training_data(const FeatureMatrix &features, const std::vector<double> &times_s,
                         const std::vector<GroupId> &groups, const std::string &what) {
    if (features.rows == 0) throw_usage(what + ": no training data (0 rows)");
    if (times_s.size() != features.rows || groups.size() != features.rows)
        throw_usage(what + ": " + std::to_string(features.rows) + " feature rows but " +
                    std::to_string(times_s.size()) + " times and " + std::to_string(groups.size()) +
                    " group ids");
    if (features.cols() == 0)
        throw_usage(what + ": feature schema " + features.schema.describe() + " has no columns");
    features.check_valid(what);
    for (std::size_t r = 0; r < times_s.size(); ++r)
        if (!std::isfinite(times_s[r]) || times_s[r] <= 0)
            throw_usage(what + ": time of row " + std::to_string(r) + " is " + std::to_string(times_s[r]) +
                        " s; times must be finite and > 0 (pass only rows with status ok)");
}

std::vector<std::uint8_t> CostModel::to_bytes() const {
    if (!is_trained()) throw_usage("cannot serialize an untrained cost model");
    ModelBlob blob = to_blob();
    blob.kind = kind();
    return pack_model_blob(blob);
}

void CostModel::from_bytes(const std::vector<std::uint8_t> &bytes, const FeatureSchema *expected) {
    ModelBlob blob = unpack_model_blob(bytes);
    if (blob.kind != kind())
        throw_usage("cannot load a '" + blob.kind + "' cost model into a '" + kind() + "' model");
    if (expected) check_schema(blob.schema, *expected, "load cost model");
    from_blob(blob);
}

void CostModel::save(const std::string &path) const {
    std::vector<std::uint8_t> bytes = to_bytes();
    // Write then rename, so that a run killed mid-save never leaves a truncated model behind.
    std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) throw_io("cannot open for writing", tmp);
        f.write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));
        if (!f.flush()) throw_io("write failed", tmp);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw_io("cannot rename " + tmp + " to " + path, path);
}

void CostModel::load(const std::string &path, const FeatureSchema *expected) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw_io("cannot open cost model '" + path + "'", path);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    try {
        from_bytes(bytes, expected);
    } catch (const Error &e) {
        throw Error(e.kind(), std::string(e.what()) + " (" + path + ")", path);
    }
}

const char *to_string(Objective o) {
    return o == Objective::rank_pairwise ? "rank:pairwise" : "reg:squarederror";
}

bool XgbOptions::operator==(const XgbOptions &o) const {
    return objective == o.objective && rounds == o.rounds && max_depth == o.max_depth && eta == o.eta &&
           min_child_weight == o.min_child_weight && subsample == o.subsample &&
           colsample_bytree == o.colsample_bytree && lambda == o.lambda && nthread == o.nthread &&
           seed == o.seed && warm_start == o.warm_start && update_rounds == o.update_rounds &&
           max_rounds == o.max_rounds;
}

void to_json(nlohmann::json &j, const XgbOptions &o) {
    j = nlohmann::json{{"objective", to_string(o.objective)},
                       {"rounds", o.rounds},
                       {"max_depth", o.max_depth},
                       {"eta", o.eta},
                       {"min_child_weight", o.min_child_weight},
                       {"subsample", o.subsample},
                       {"colsample_bytree", o.colsample_bytree},
                       {"lambda", o.lambda},
                       {"nthread", o.nthread},
                       {"seed", o.seed},
                       {"warm_start", o.warm_start},
                       {"update_rounds", o.update_rounds},
                       {"max_rounds", o.max_rounds}};
}

void from_json(const nlohmann::json &j, XgbOptions &o) {
    if (!j.is_object()) throw_usage("xgboost options must be a JSON object");
    XgbOptions d;
    std::string obj = j.value("objective", std::string(to_string(d.objective)));
    if (obj == to_string(Objective::rank_pairwise)) {
        o.objective = Objective::rank_pairwise;
    } else if (obj == to_string(Objective::regression)) {
        o.objective = Objective::regression;
    } else {
        throw_usage("unknown cost model objective '" + obj + "' (rank:pairwise or reg:squarederror)");
    }
    o.rounds = j.value("rounds", d.rounds);
    o.max_depth = j.value("max_depth", d.max_depth);
    o.eta = j.value("eta", d.eta);
    o.min_child_weight = j.value("min_child_weight", d.min_child_weight);
    o.subsample = j.value("subsample", d.subsample);
    o.colsample_bytree = j.value("colsample_bytree", d.colsample_bytree);
    o.lambda = j.value("lambda", d.lambda);
    o.nthread = j.value("nthread", d.nthread);
    o.seed = j.value("seed", d.seed);
    o.warm_start = j.value("warm_start", d.warm_start);
    o.update_rounds = j.value("update_rounds", d.update_rounds);
    o.max_rounds = j.value("max_rounds", d.max_rounds);
}

}  // namespace htune
