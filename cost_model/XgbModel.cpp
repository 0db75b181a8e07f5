// XgbModel: CostModel on XGBoost's C API (rank:pairwise per workload, or regression on
// normalized log-throughput for transfer). Every C call goes through xgb_check (XgbCheck.h);
// handles are owned by small RAII wrappers. Entry point: make_xgboost_model at the bottom.
#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "cost_model/CostModel.h"
#include "cost_model/XgbCheck.h"
#include "ops/Error.h"

namespace htune {

namespace {

struct DMatrix {
    DMatrixHandle h = nullptr;
    DMatrix() = default;
    DMatrix(const DMatrix &) = delete;
    DMatrix &operator=(const DMatrix &) = delete;
    ~DMatrix() {
        if (h) XGDMatrixFree(h);  // a free failure cannot be reported from a destructor
    }
};

struct BoosterDeleter {
    void operator()(void *b) const { XGBoosterFree(b); }
};
using Booster = std::unique_ptr<void, BoosterDeleter>;

Booster new_booster(DMatrixHandle *cache, bst_ulong n_cache) {
    BoosterHandle b = nullptr;
    xgb_check(XGBoosterCreate(cache, n_cache, &b), "XGBoosterCreate");
    return Booster(b);
}

void set_param(BoosterHandle b, const char *name, const std::string &value) {
    xgb_check(XGBoosterSetParam(b, name, value.c_str()),
              ("XGBoosterSetParam(" + std::string(name) + ")").c_str());
}

// The model bytes: UBJSON is XGBoost's compact, stable model format (1.6+), and it stores
// floats exactly, so a loaded model predicts bit-identical scores.
std::vector<std::uint8_t> save_booster(BoosterHandle b) {
    bst_ulong len = 0;
    const char *data = nullptr;
    xgb_check(XGBoosterSaveModelToBuffer(b, R"({"format": "ubj"})", &len, &data),
              "XGBoosterSaveModelToBuffer");
    return std::vector<std::uint8_t>(data, data + len);  // copy: XGBoost reuses the buffer
}

void load_booster(BoosterHandle b, const std::vector<std::uint8_t> &bytes) {
    xgb_check(XGBoosterLoadModelFromBuffer(b, bytes.data(), bytes.size()), "XGBoosterLoadModelFromBuffer");
}

class XgbModel final : public CostModel {
public:
    explicit XgbModel(const XgbOptions &o) : opt_(o) {
        if (o.rounds < 1 || o.max_depth < 1 || !(o.eta > 0) || o.nthread < 1 || o.update_rounds < 1 ||
            o.max_rounds < o.rounds || !(o.subsample > 0 && o.subsample <= 1) ||
            !(o.colsample_bytree > 0 && o.colsample_bytree <= 1))
            throw_usage("invalid xgboost options: " + nlohmann::json(o).dump());
    }

    void train(const FeatureMatrix &x, const std::vector<double> &t, const std::vector<GroupId> &g) override {
        fit(x, t, g, "train", /*warm=*/false);
    }

    void update(const FeatureMatrix &x, const std::vector<double> &t,
                const std::vector<GroupId> &g) override {
        bool warm = opt_.warm_start && booster_ && rounds_ + opt_.update_rounds <= opt_.max_rounds;
        if (warm) check_schema(schema_, x.schema, "update (warm start)");
        fit(x, t, g, "update", warm);
    }

    std::vector<float> predict(const FeatureMatrix &x) const override {
        if (!booster_)
            throw_usage("predict: the cost model is not trained (call train, update or load first)");
        check_schema(schema_, x.schema, "predict");
        x.check_valid("predict");
        if (x.rows == 0) return {};
        // In-place prediction reads our buffer directly: no DMatrix copy per batch.
        nlohmann::json array{{"data", {reinterpret_cast<std::uintptr_t>(x.values.data()), true}},
                             {"shape", {x.rows, x.cols()}},
                             {"typestr", "<f4"},
                             {"version", 3}};
        // "missing" is NaN, which check_valid already rejected; XGBoost 1.7 also requires
        // "cache_id" (0 = no cache) and fails with "Invalid cast, from Null" without it.
        const char *config = R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0,)"
                             R"( "strict_shape": false, "missing": NaN, "cache_id": 0})";
        const bst_ulong *shape = nullptr;
        bst_ulong dim = 0;
        const float *out = nullptr;
        xgb_check(XGBoosterPredictFromDense(booster_.get(), array.dump().c_str(), config, nullptr, &shape,
                                            &dim, &out),
                  "XGBoosterPredictFromDense");
        return std::vector<float>(out, out + x.rows);
    }

    bool is_trained() const override { return booster_ != nullptr; }
    const FeatureSchema &schema() const override { return schema_; }

protected:
    std::string kind() const override { return "xgboost"; }

    ModelBlob to_blob() const override {
        ModelBlob blob;
        blob.schema = schema_;
        blob.meta = {{"options", opt_}, {"rounds", rounds_}, {"xgboost_format", "ubj"}};
        blob.payload = save_booster(booster_.get());
        return blob;
    }

    void from_blob(const ModelBlob &blob) override {
        Booster b = new_booster(nullptr, 0);
        load_booster(b.get(), blob.payload);
        int rounds = 0;
        xgb_check(XGBoosterBoostedRounds(b.get(), &rounds), "XGBoosterBoostedRounds");
        // The saved objective defines what the trees' scores mean, so a warm-started update
        // must keep it; the other hyperparameters stay this model's own.
        if (blob.meta.contains("options"))
            opt_.objective = blob.meta.at("options").get<XgbOptions>().objective;
        set_params(b.get());
        booster_ = std::move(b);
        rounds_ = rounds;
        schema_ = blob.schema;
    }

private:
    void set_params(BoosterHandle b) const {
        set_param(b, "objective", to_string(opt_.objective));
        set_param(b, "tree_method", "hist");  // fast and, at a fixed nthread, deterministic
        set_param(b, "max_depth", std::to_string(opt_.max_depth));
        set_param(b, "eta", std::to_string(opt_.eta));
        set_param(b, "min_child_weight", std::to_string(opt_.min_child_weight));
        set_param(b, "subsample", std::to_string(opt_.subsample));
        set_param(b, "colsample_bytree", std::to_string(opt_.colsample_bytree));
        set_param(b, "lambda", std::to_string(opt_.lambda));
        set_param(b, "nthread", std::to_string(opt_.nthread));
        // XGBoost parses "seed" as a signed int: fold our 64-bit seed into that range.
        set_param(b, "seed", std::to_string(opt_.seed % 2147483647u));
        set_param(b, "verbosity", "0");  // errors still come back through xgb_check
    }

    // Labels where higher = faster. rank:pairwise only uses their order within a group;
    // regression targets log(best/t) in (-inf, 0], which is comparable across workloads of
    // different sizes (the point of the transfer model).
    std::vector<float> labels(const std::vector<double> &t, const std::vector<GroupId> &g) const {
        std::vector<float> y(t.size());
        if (opt_.objective == Objective::rank_pairwise) {
            for (std::size_t r = 0; r < t.size(); ++r) y[r] = float(-std::log(t[r]));
            return y;
        }
        std::map<GroupId, double> best;
        for (std::size_t r = 0; r < t.size(); ++r) {
            auto it = best.find(g[r]);
            if (it == best.end() || t[r] < it->second) best[g[r]] = t[r];
        }
        for (std::size_t r = 0; r < t.size(); ++r) y[r] = float(std::log(best[g[r]] / t[r]));
        return y;
    }

    // Trains on all rows; on success replaces the booster (on failure the old one stays).
    void fit(const FeatureMatrix &x, const std::vector<double> &t, const std::vector<GroupId> &g,
             const std::string &what, bool warm) {
        check_training_data(x, t, g, what);
        // XGBoost needs each query group contiguous: stable-sort rows by group id.
        std::vector<std::size_t> order(x.rows);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return g[a] < g[b]; });
        FeatureMatrix xs = select_rows(x, order);
        std::vector<double> ts = select_rows(t, order);
        std::vector<GroupId> gs = select_rows(g, order);
        std::vector<float> y = labels(ts, gs);
        std::vector<unsigned> sizes;
        for (std::size_t r = 0; r < gs.size(); ++r) {
            if (r == 0 || gs[r] != gs[r - 1]) sizes.push_back(0);
            ++sizes.back();
        }

        DMatrix d;
        xgb_check(XGDMatrixCreateFromMat_omp(xs.values.data(), xs.rows, xs.cols(), NAN, &d.h, opt_.nthread),
                  "XGDMatrixCreateFromMat_omp");
        xgb_check(XGDMatrixSetFloatInfo(d.h, "label", y.data(), y.size()), "XGDMatrixSetFloatInfo(label)");
        xgb_check(XGDMatrixSetUIntInfo(d.h, "group", sizes.data(), sizes.size()),
                  "XGDMatrixSetUIntInfo(group)");

        Booster b = new_booster(&d.h, 1);
        int start = 0, n = opt_.rounds;
        if (warm) {
            // Continue from a copy of the current trees, so a failure leaves this model intact.
            load_booster(b.get(), save_booster(booster_.get()));
            start = rounds_;
            n = opt_.update_rounds;
        }
        set_params(b.get());
        for (int i = 0; i < n; ++i)
            xgb_check(XGBoosterUpdateOneIter(b.get(), start + i, d.h), "XGBoosterUpdateOneIter");
        booster_ = std::move(b);
        rounds_ = start + n;
        schema_ = x.schema;
    }

    XgbOptions opt_;
    FeatureSchema schema_;
    Booster booster_;
    int rounds_ = 0;  // trees in booster_ (one per round: single-output objectives)
};

}  // namespace

std::unique_ptr<CostModel> make_xgboost_model(const XgbOptions &options) {
    return std::make_unique<XgbModel>(options);
}

}  // namespace htune
