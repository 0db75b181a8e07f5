// `htune retrain`: trains the XGBoost cost model on every ok measurement of a device type,
// reports honest held-out metrics (k-fold over whole operators, over workloads and over
// candidates within workloads; optionally on named operators left out of everything),
// and stores the model for that device type in the database (and optionally a file), where
// `htune tune` finds it (tuner/Training.h: load_stored_model).
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cost_model/Featurizer.h"
#include "db/Database.h"
#include "db/DeviceKey.h"
#include "ops/Error.h"
#include "tuner/Command.h"
#include "tuner/Training.h"
#include "tuner/WorkloadOptions.h"

namespace po = boost::program_options;

namespace htune {

namespace {

std::string cell(const MetricValue &m, bool available) {
    if (!available || m.count == 0 || !std::isfinite(m.value)) return "n/a";
    std::ostringstream os;
    os << std::fixed << std::setprecision(3) << m.value;
    return os.str();
}

void print_row(const std::string &name, const HeldOut &h) {
    std::cout << "  " << std::left << std::setw(21) << name;
    if (!h.available) {
        std::cout << h.note << "\n";
        return;
    }
    const RankingMetrics &m = h.metrics;
    std::cout << std::setw(10) << cell(m.pairwise, true) << std::setw(10) << cell(m.spearman, true)
              << std::setw(8) << cell(m.top1, true) << std::setw(9) << cell(m.top5pct, true) << h.records
              << " records, " << h.workloads << " workload(s), " << h.folds << " fold(s)\n";
}

// Pairwise accuracy per time-gap band of the pairs (Metrics.h time_gap_bands()).
void print_gap_row(const std::string &name, const HeldOut &h) {
    if (!h.available) return;
    std::cout << "  " << std::left << std::setw(21) << name;
    for (const MetricValue &m : h.pairwise_by_gap) std::cout << std::setw(10) << cell(m, true);
    std::cout << "(";
    for (std::size_t b = 0; b < h.pairwise_by_gap.size(); b++)
        std::cout << (b ? " / " : "") << h.pairwise_by_gap[b].count;
    std::cout << " pairs)\n";
}

int run_retrain(const std::vector<std::string> &args) {
    po::options_description desc("htune retrain options");
    std::string db_path = kDefaultDatabasePath, device_key, out_path, json_path, hold_out;
    int folds = 5, nthread = 1, rounds = XgbOptions{}.rounds;
    std::uint64_t seed = 0;
    desc.add_options()("db", po::value(&db_path), "tuning database (default ./htune.db)")(
        "device-key", po::value(&device_key), "device type to train for (default: this machine, all cores)")(
        "out", po::value(&out_path), "also save the model to this file")(
        "json", po::value(&json_path), "write the metrics as JSON to this file")(
        "folds", po::value(&folds), "k of the k-fold evaluations (default 5)")(
        "rounds", po::value(&rounds), "boosting rounds (default 100)")(
        "nthread", po::value(&nthread), "XGBoost threads (default 1: far faster on a busy machine)")(
        "seed", po::value(&seed), "seed of the folds and of XGBoost (default 0)")(
        "hold-out", po::value(&hold_out),
        "operators (comma-separated) to leave out of everything trained and stored, and to "
        "evaluate the model on: what it would rank on algorithms it never saw");
    po::variables_map vm;
    if (parse_command_line(
            "retrain", args, desc, vm, nullptr,
            "[--db FILE] [--device-key KEY] [--out FILE] [--json FILE] [--folds K] [--hold-out OP,...]"))
        return 0;
    if (device_key.empty()) device_key = host_device().key();
    DeviceKey::parse(device_key);  // a malformed key is a usage error, before any work
    if (folds < 2) throw_usage("retrain: --folds must be at least 2");
    XgbOptions options;
    options.objective = Objective::rank_pairwise;
    options.nthread = nthread;
    options.rounds = rounds;
    options.max_rounds = std::max(options.max_rounds, rounds);
    options.seed = seed;
    make_xgboost_model(options);  // invalid options are a usage error, before any work

    OpenOptions open_options;
    open_options.create = false;
    auto db = open_database(db_path, open_options);
    auto t0 = std::chrono::steady_clock::now();
    TrainingSet set = load_training_set(*db, device_key);
    if (set.features.rows == 0) {
        std::cerr << "htune: error: no ok measurements for device " << device_key << " in " << db_path
                  << ": run `htune tune` first\n";
        return 1;
    }
    const std::vector<std::string> held_ops = split_list(hold_out);
    Fold named_split;
    HeldOut named;
    if (!held_ops.empty()) {
        try {
            named_split = hold_out_operators(set, held_ops);
        } catch (const Error &e) {
            throw_usage(std::string("retrain: --hold-out: ") + e.what());
        }
        named = evaluate_split(set, named_split, options);
    }
    std::cout << "training set: " << set.features.rows << " ok record(s) of " << set.workload_keys.size()
              << " workload(s) on " << device_key << " (" << feature_schema().describe() << ")";
    if (set.skipped_records) std::cout << ", " << set.skipped_records << " skipped";
    std::cout << "\n";
    if (!held_ops.empty()) {
        std::cout << "held out: " << hold_out << " (" << named_split.test.size()
                  << " records); everything below is trained without them\n";
        set = subset(set, named_split.train);
    }

    HeldOut by_operator = cross_validate(set, Holdout::operators, folds, options, seed);
    HeldOut by_workload = cross_validate(set, Holdout::workloads, folds, options, seed);
    HeldOut by_candidate = cross_validate(set, Holdout::candidates, folds, options, seed);
    auto model = make_xgboost_model(options);
    model->train(set.features, set.times_s, set.groups);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::cout << "held-out metrics       pairwise  spearman  top-1   top-5%\n";
    if (!held_ops.empty()) print_row("named operators", named);
    print_row("held-out operators", by_operator);
    print_row("held-out workloads", by_workload);
    print_row("held-out candidates", by_candidate);
    std::cout << "pairwise by time gap   ";
    for (const TimeGapBand &b : time_gap_bands()) std::cout << std::setw(10) << b.label;
    std::cout << "\n";
    if (!held_ops.empty()) print_gap_row("named operators", named);
    print_gap_row("held-out operators", by_operator);
    print_gap_row("held-out workloads", by_workload);
    print_gap_row("held-out candidates", by_candidate);

    nlohmann::json report{
        {"device_key", device_key},
        {"db", db_path},
        {"feature_schema", feature_schema().name + "/" + std::to_string(feature_schema().version)},
        {"records", set.features.rows},
        {"workloads", set.workload_keys.size()},
        {"operators", operators_of(set)},
        {"held_out_operators", to_json(by_operator)},
        {"skipped_records", set.skipped_records},
        {"objective", to_string(options.objective)},
        {"xgboost", options},
        {"held_out_workloads", to_json(by_workload)},
        {"held_out_candidates", to_json(by_candidate)},
        {"seconds", seconds},
        {"format", "htune-retrain/1"},
        {"run", run_provenance("retrain", args)}};

    if (!held_ops.empty()) {
        report["hold_out"] = held_ops;
        report["held_out_named"] = to_json(named);
    }

    StoredModel stored;
    stored.device_key = device_key;
    stored.schema_name = feature_schema().name;
    stored.schema_version = feature_schema().version;
    stored.blob = model->to_bytes();
    stored.metrics = report;
    db->put_model(stored);
    std::cout << "model: stored for " << device_key << " in " << db_path;
    if (!out_path.empty()) {
        model->save(out_path);
        std::cout << " and saved to " << out_path;
    }
    std::cout << " (" << stored.blob.size() << " bytes, " << std::fixed << std::setprecision(1) << seconds
              << " s)\n";
    if (!json_path.empty())
        write_atomically(json_path, [&](std::ostream &out) { out << report.dump(2) << "\n"; });
    return 0;
}

}  // namespace

Command retrain_command() {
    return {"retrain", "train the cost model on a device type's measurements; report held-out metrics",
            run_retrain};
}

}  // namespace htune
