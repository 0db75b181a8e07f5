// Bench program (issue 24): does a cost model that scores each computed stage and sums the
// stages (Adams2019's and Ansor's form) rank candidates of unseen operators better than the
// stored model's one row per candidate? Both are evaluated on the same database, the same
// held-out-operator folds (kfold_by_operator, as `htune retrain`) and the same metrics.
//
// The stage model: one XGBoost row per computed stage (Featurizer::stage_features: the stage's
// columns and the global ones); a stage's predicted time is exp(margin), the candidate's the sum
// over its stages, and the loss is the squared error of log(sum) against log(measured time),
// minus the workload's mean of both (only rankings within a workload count, so the model need
// not learn each workload's absolute scale). XGBoost's C API boosts it one round at a time with
// the gradients computed here (XGBoosterBoostOneIter).
//
//   htune_bench_stage_model --db FILE [--device-key KEY] [--folds 5] [--rounds 100]
//                           [--max-depth 4] [--eta 0.2] [--seed 0] [--hold-out operators|candidates]
//                           [--json FILE]
// `--hold-out candidates` folds over candidates within each workload instead (known workloads):
// whether the model learns at all, apart from whether it transfers.
#include <xgboost/c_api.h>

#include <boost/program_options.hpp>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cost_model/XgbCheck.h"
#include "db/Database.h"
#include "db/DeviceKey.h"
#include "ops/Error.h"
#include "tuner/Command.h"
#include "tuner/Training.h"

namespace po = boost::program_options;
using namespace htune;

namespace {

struct StageModelOptions {
    int rounds = 100, max_depth = 4, nthread = 2;
    double eta = 0.2;
    std::uint64_t seed = 0;
};

// One DMatrix of the stage rows of `rows` (candidates), with per stage row its candidate.
struct StageData {
    std::vector<float> values;
    std::vector<std::size_t> candidate;  // per stage row: position in `rows`
    std::size_t cols = 0;
};

StageData stage_data(const TrainingSet &set, const std::vector<std::size_t> &rows) {
    StageData d;
    for (std::size_t k = 0; k < rows.size(); k++)
        for (const std::vector<float> &r : set.stage_rows.at(rows[k])) {
            d.cols = r.size();
            d.values.insert(d.values.end(), r.begin(), r.end());
            d.candidate.push_back(k);
        }
    return d;
}

DMatrixHandle make_dmatrix(const StageData &d) {
    DMatrixHandle h = nullptr;
    xgb_check(XGDMatrixCreateFromMat(d.values.data(), d.candidate.size(), d.cols, NAN, &h),
              "XGDMatrixCreateFromMat");
    return h;
}

std::vector<float> margins(BoosterHandle b, DMatrixHandle m) {
    bst_ulong len = 0;
    const float *out = nullptr;
    xgb_check(XGBoosterPredict(b, m, /*output_margin=*/1, 0, 0, &len, &out), "XGBoosterPredict");
    return std::vector<float>(out, out + len);
}

// Per candidate: log of the sum over its stages of exp(margin).
std::vector<double> log_sums(const std::vector<float> &margin, const StageData &d, std::size_t n) {
    std::vector<double> mx(n, -INFINITY), sum(n, 0.0);
    for (std::size_t i = 0; i < margin.size(); i++) mx[d.candidate[i]] = std::max(mx[d.candidate[i]], (double)margin[i]);
    for (std::size_t i = 0; i < margin.size(); i++) sum[d.candidate[i]] += std::exp(margin[i] - mx[d.candidate[i]]);
    std::vector<double> out(n);
    for (std::size_t k = 0; k < n; k++) out[k] = std::isfinite(mx[k]) ? mx[k] + std::log(sum[k]) : 0.0;
    return out;
}

// Trains on `train`, returns scores (-predicted log time) of `test`.
std::vector<float> train_and_score(const TrainingSet &set, const std::vector<std::size_t> &train,
                                   const std::vector<std::size_t> &test, const StageModelOptions &o) {
    StageData tr = stage_data(set, train), te = stage_data(set, test);
    DMatrixHandle dtr = make_dmatrix(tr), dte = make_dmatrix(te);
    BoosterHandle b = nullptr;
    xgb_check(XGBoosterCreate(&dtr, 1, &b), "XGBoosterCreate");
    auto set_param = [&](const char *k, const std::string &v) {
        xgb_check(XGBoosterSetParam(b, k, v.c_str()), "XGBoosterSetParam");
    };
    set_param("tree_method", "hist");
    set_param("max_depth", std::to_string(o.max_depth));
    set_param("eta", std::to_string(o.eta));
    set_param("base_score", "0");
    set_param("nthread", std::to_string(o.nthread));
    set_param("seed", std::to_string(o.seed));
    // Per training candidate: log time minus its workload's mean log time.
    std::map<GroupId, std::pair<double, int>> mean;
    for (std::size_t r : train) {
        auto &m = mean[set.groups[r]];
        m.first += std::log(set.times_s[r]);
        m.second++;
    }
    std::vector<double> target(train.size());
    for (std::size_t k = 0; k < train.size(); k++) {
        const auto &m = mean[set.groups[train[k]]];
        target[k] = std::log(set.times_s[train[k]]) - m.first / m.second;
    }
    std::vector<float> grad(tr.candidate.size()), hess(tr.candidate.size());
    for (int it = 0; it < o.rounds; it++) {
        std::vector<float> f = it == 0 ? std::vector<float>(tr.candidate.size(), 0.0f) : margins(b, dtr);
        std::vector<double> ls = log_sums(f, tr, train.size());
        // The workload mean of the predictions, like the target's.
        std::map<GroupId, std::pair<double, int>> pmean;
        for (std::size_t k = 0; k < train.size(); k++) {
            auto &m = pmean[set.groups[train[k]]];
            m.first += ls[k];
            m.second++;
        }
        std::vector<double> resid(train.size());
        for (std::size_t k = 0; k < train.size(); k++) {
            const auto &m = pmean[set.groups[train[k]]];
            resid[k] = (ls[k] - m.first / m.second) - target[k];
        }
        // d loss / d margin_i = 2 * resid * share_i (share: the stage's part of its candidate's
        // predicted time); the mean-centering's own gradient is ignored (it sums to zero over a
        // workload). Hessian: 2 * share_i, positive and an upper bound of the exact one's scale.
        for (std::size_t i = 0; i < tr.candidate.size(); i++) {
            const std::size_t k = tr.candidate[i];
            const double share = std::exp((double)f[i] - ls[k]);
            grad[i] = (float)(2.0 * resid[k] * share);
            hess[i] = (float)std::max(2.0 * share, 1e-6);
        }
        xgb_check(XGBoosterBoostOneIter(b, dtr, grad.data(), hess.data(), grad.size()), "XGBoosterBoostOneIter");
    }
    std::vector<double> ls = log_sums(margins(b, dte), te, test.size());
    std::vector<float> scores(test.size());
    for (std::size_t k = 0; k < test.size(); k++) scores[k] = (float)-ls[k];
    XGBoosterFree(b);
    XGDMatrixFree(dtr);
    XGDMatrixFree(dte);
    return scores;
}

nlohmann::json metric_json(const RankingMetrics &m) {
    return {{"pairwise_accuracy", m.pairwise.value},
            {"pairs", m.pairwise.count},
            {"spearman", m.spearman.value},
            {"top1_recall", m.top1.value},
            {"top5pct_recall", m.top5pct.value}};
}

}  // namespace

int main(int argc, char **argv) {
    try {
        std::string db_path, device_key, json_path, hold_out = "operators";
        int folds = 5;
        StageModelOptions o;
        po::options_description desc("htune_bench_stage_model options");
        desc.add_options()("db", po::value(&db_path)->required(), "tuning database")(
            "device-key", po::value(&device_key), "device type (default: this machine)")(
            "folds", po::value(&folds), "held-out-operator folds (default 5)")(
            "rounds", po::value(&o.rounds), "boosting rounds (default 100)")(
            "max-depth", po::value(&o.max_depth), "tree depth (default 4)")("eta", po::value(&o.eta),
                                                                             "learning rate (default 0.2)")(
            "seed", po::value(&o.seed), "seed of the folds and of XGBoost (default 0)")(
            "hold-out", po::value(&hold_out), "operators (default) or candidates")(
            "json", po::value(&json_path), "write the metrics as JSON");
        po::variables_map vm;
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
        if (hold_out != "operators" && hold_out != "candidates")
            throw_usage("htune_bench_stage_model: --hold-out is operators or candidates, not '" + hold_out + "'");
        const Holdout holdout = hold_out == "operators" ? Holdout::operators : Holdout::candidates;
        if (folds < 2 || o.rounds < 1 || o.max_depth < 1 || !(o.eta > 0))
            throw_usage("htune_bench_stage_model: --folds >= 2, --rounds >= 1, --max-depth >= 1, --eta > 0");
        if (device_key.empty()) device_key = host_device().key();
        OpenOptions open_options;
        open_options.create = false;
        auto db = open_database(db_path, open_options);
        TrainingSet set = load_training_set(*db, device_key, /*with_stage_rows=*/true);
        if (set.features.rows == 0) throw_usage("no ok records of " + device_key + " in " + db_path);

        XgbOptions xo;
        xo.nthread = o.nthread;
        xo.rounds = o.rounds;
        xo.max_rounds = std::max(xo.max_rounds, o.rounds);
        xo.max_depth = o.max_depth;
        xo.eta = o.eta;
        xo.seed = o.seed;
        HeldOut row_model = cross_validate(set, holdout, folds, xo, o.seed);

        std::vector<Fold> split =
            holdout == Holdout::operators
                ? kfold_by_operator(set, std::min<int>(folds, operators_of(set).size()), o.seed)
                : kfold_within_groups(set.groups, std::min<int>(folds, set.times_s.size()), o.seed);
        std::vector<float> scores(set.times_s.size(), 0.0f);
        for (const Fold &f : split) {
            std::vector<float> s = train_and_score(set, f.train, f.test, o);
            for (std::size_t k = 0; k < f.test.size(); k++) scores[f.test[k]] = s[k];
        }
        // Metrics rank within workloads. Held out by operator, every workload is in one test fold,
        // so scores of different fold models are never compared; by candidate they are (as
        // `htune retrain` does not: it combines per-fold metrics), which only makes this harder.
        RankingMetrics stage = evaluate_ranking(scores, set.times_s, set.groups);
        std::size_t stage_rows = 0;
        for (const auto &r : set.stage_rows) stage_rows += r.size();
        std::cout << "records " << set.times_s.size() << " (" << stage_rows << " stage rows), workloads "
                  << set.workload_keys.size() << ", operators " << operators_of(set).size() << ", " << split.size()
                  << " held-out-" << hold_out << " folds\n";
        std::cout << "row model (htune retrain's):  pairwise " << row_model.metrics.pairwise.value << "  spearman "
                  << row_model.metrics.spearman.value << "  top1 " << row_model.metrics.top1.value << "  top5% "
                  << row_model.metrics.top5pct.value << "\n";
        std::cout << "stage-sum model:              pairwise " << stage.pairwise.value << "  spearman "
                  << stage.spearman.value << "  top1 " << stage.top1.value << "  top5% " << stage.top5pct.value
                  << "\n";
        if (!json_path.empty()) {
            nlohmann::json run = run_provenance("", {});
            std::string command = "build/tuner/htune_bench_stage_model";
            for (int i = 1; i < argc; i++) command += std::string(" ") + argv[i];
            run["command"] = command;
            nlohmann::json j{{"format", "htune-bench-stage-model/1"},
                             {"run", run},
                             {"db", db_path},
                             {"device_key", device_key},
                             {"records", set.times_s.size()},
                             {"stage_rows", stage_rows},
                             {"workloads", set.workload_keys.size()},
                             {"operators", operators_of(set).size()},
                             {"hold_out", hold_out},
                             {"folds", split.size()},
                             {"rounds", o.rounds},
                             {"max_depth", o.max_depth},
                             {"eta", o.eta},
                             {"seed", o.seed},
                             {"row_model", metric_json(row_model.metrics)},
                             {"stage_sum_model", metric_json(stage)}};
            std::ofstream(json_path) << j.dump(2) << "\n";
        }
        return 0;
    } catch (const std::exception &e) {
        std::cerr << "htune_bench_stage_model: error: " << e.what() << "\n";
        return 1;
    }
}
