// Training data and stored models from the tuning database (see Training.h).
#include "tuner/Training.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <set>

#include "cost_model/Featurizer.h"
#include "db/DeviceKey.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Schedule.h"

namespace htune {

Halide::Target device_target(const std::string &device_key) {
    DeviceKey key = DeviceKey::parse(device_key);
    if (Halide::Target::validate_target_string(key.target)) return Halide::Target(key.target);
    std::cerr << "htune: warning: device key target '" << key.target
              << "' is not a Halide target; featurizing for this host's target\n";
    return htune::host_target();
}

TrainingSet load_training_set(Database &db, const std::string &device_key, bool with_stage_rows) {
    const Halide::Target target = device_target(device_key);
    const int threads = DeviceKey::parse(device_key).threads;

    // Records grouped by workload, in first-commit order; only what training needs is kept.
    struct Pending {
        WorkloadSpec spec;
        std::vector<Schedule> schedules;
        std::vector<double> times_s;
    };
    std::vector<std::string> order;
    std::map<std::string, Pending> by_workload;
    std::size_t unreadable = 0;
    RecordQuery q;
    q.device_key = device_key;
    q.ok_only = true;
    db.scan(q, [&](const Record &r) {
        if (r.result.status != Status::ok || !(r.result.min_ms > 0)) return;
        Schedule s;
        try {
            s = r.schedule.get<Schedule>();
        } catch (const std::exception &) {
            unreadable++;
            return;
        }
        auto it = by_workload.find(r.workload_key);
        if (it == by_workload.end()) {
            order.push_back(r.workload_key);
            it = by_workload.emplace(r.workload_key, Pending{r.workload, {}, {}}).first;
        }
        it->second.schedules.push_back(std::move(s));
        it->second.times_s.push_back(r.result.min_ms * 1e-3);
    });
    if (unreadable > 0)
        std::cerr << "htune: warning: skipped " << unreadable
                  << " record(s) whose schedule this htune cannot read\n";

    TrainingSet set;
    set.skipped_records = unreadable;
    set.features = FeatureMatrix(feature_schema(), 0);
    for (const std::string &key : order) {
        Pending &p = by_workload.at(key);
        std::string why;
        std::unique_ptr<Featurizer> featurizer;
        try {
            Workload w = make_workload(p.spec);
            if (w.key() != key)
                why = "its algorithm changed since it was measured (now " + w.key() + ")";
            else
                featurizer = std::make_unique<Featurizer>(w, target, threads);
        } catch (const std::exception &e) {
            why = std::string("it cannot be rebuilt: ") + e.what();
        }
        if (!featurizer) {
            std::cerr << "htune: warning: skipped " << p.schedules.size() << " record(s) of " << key << ": "
                      << why << "\n";
            set.skipped_records += p.schedules.size();
            continue;
        }
        FeatureMatrix m = featurizer->featurize(p.schedules);
        if (with_stage_rows)
            for (const Schedule &s : p.schedules) set.stage_rows.push_back(featurizer->stage_features(s));
        const GroupId group = (GroupId)set.workload_keys.size();
        set.workload_keys.push_back(key);
        set.workload_ops.push_back(p.spec.op);
        set.features.values.insert(set.features.values.end(), m.values.begin(), m.values.end());
        set.features.rows += m.rows;
        set.times_s.insert(set.times_s.end(), p.times_s.begin(), p.times_s.end());
        set.groups.insert(set.groups.end(), m.rows, group);
    }
    return set;
}

namespace {

// Count-weighted mean of one metric over folds.
MetricValue combine(const std::vector<MetricValue> &parts) {
    MetricValue out;
    double sum = 0;
    for (const MetricValue &m : parts) {
        if (m.count == 0) {
            out.skipped_groups += m.skipped_groups;
            continue;
        }
        sum += m.value * (double)m.count;
        out.count += m.count;
        out.groups += m.groups;
        out.skipped_groups += m.skipped_groups;
    }
    out.value = out.count > 0 ? sum / (double)out.count : std::nan("");
    return out;
}

nlohmann::json value_or_null(const MetricValue &m) {
    return m.count > 0 && std::isfinite(m.value) ? nlohmann::json(m.value) : nlohmann::json();
}

// Per row: the index of its workload's operator in operators_of(set).
std::vector<GroupId> operator_of_rows(const TrainingSet &set) {
    std::vector<std::string> ops = operators_of(set);
    std::vector<GroupId> of_group(set.workload_ops.size());
    for (std::size_t g = 0; g < set.workload_ops.size(); g++)
        of_group[g] = (GroupId)(std::find(ops.begin(), ops.end(), set.workload_ops[g]) - ops.begin());
    std::vector<GroupId> rows(set.groups.size());
    for (std::size_t i = 0; i < rows.size(); i++) rows[i] = of_group.at(set.groups[i]);
    return rows;
}

// Trains a fresh model per fold on its train rows and evaluates it on its test rows only.
HeldOut evaluate_folds(const TrainingSet &set, const std::vector<Fold> &split, const XgbOptions &options) {
    HeldOut h;
    h.folds = (int)split.size();
    std::vector<MetricValue> pairwise, spearman, top1, top5;
    const std::vector<TimeGapBand> &bands = time_gap_bands();
    std::vector<std::vector<MetricValue>> by_gap(bands.size());
    std::set<GroupId> evaluated;
    for (const Fold &fold : split) {
        if (fold.train.empty() || fold.test.empty()) continue;
        auto model = make_xgboost_model(options);
        model->train(select_rows(set.features, fold.train), select_rows(set.times_s, fold.train),
                     select_rows(set.groups, fold.train));
        std::vector<double> times = select_rows(set.times_s, fold.test);
        std::vector<GroupId> groups = select_rows(set.groups, fold.test);
        std::vector<float> scores = model->predict(select_rows(set.features, fold.test));
        RankingMetrics m = evaluate_ranking(scores, times, groups);
        pairwise.push_back(m.pairwise);
        spearman.push_back(m.spearman);
        top1.push_back(m.top1);
        top5.push_back(m.top5pct);
        for (std::size_t b = 0; b < bands.size(); b++)
            by_gap[b].push_back(
                pairwise_accuracy_in_band(scores, times, groups, bands[b].min_ratio, bands[b].max_ratio));
        h.records += fold.test.size();
        // Groups with at least two different times in this test fold were ranked.
        std::map<GroupId, std::set<double>> distinct;
        for (std::size_t i = 0; i < groups.size(); i++) distinct[groups[i]].insert(times[i]);
        for (const auto &kv : distinct)
            if (kv.second.size() >= 2) evaluated.insert(kv.first);
    }
    h.metrics = RankingMetrics{combine(pairwise), combine(spearman), combine(top1), combine(top5)};
    for (const auto &parts : by_gap) h.pairwise_by_gap.push_back(combine(parts));
    h.workloads = evaluated.size();
    h.available = h.metrics.pairwise.count > 0;
    if (!h.available) h.note = "n/a (no test fold had two candidates of one workload with different times)";
    return h;
}

}  // namespace

std::vector<std::string> operators_of(const TrainingSet &set) {
    std::vector<std::string> ops;
    for (const std::string &op : set.workload_ops)
        if (std::find(ops.begin(), ops.end(), op) == ops.end()) ops.push_back(op);
    return ops;
}

std::vector<Fold> kfold_by_operator(const TrainingSet &set, int k, std::uint64_t seed) {
    return kfold_by_group(operator_of_rows(set), k, seed);
}

HeldOut cross_validate(const TrainingSet &set, Holdout holdout, int folds, const XgbOptions &options,
                       std::uint64_t seed) {
    HeldOut h;
    const std::size_t units = holdout == Holdout::operators   ? operators_of(set).size()
                              : holdout == Holdout::workloads ? set.workload_keys.size()
                                                              : set.features.rows;
    if (units < 2) {
        h.note = holdout == Holdout::operators   ? "n/a (needs 2 operators)"
                 : holdout == Holdout::workloads ? "n/a (needs 2 workloads)"
                                                 : "n/a (needs 2 records)";
        return h;
    }
    const int k = (int)std::min<std::size_t>(std::max(2, folds), units);
    std::vector<Fold> split = holdout == Holdout::operators   ? kfold_by_operator(set, k, seed)
                              : holdout == Holdout::workloads ? kfold_by_group(set.groups, k, seed)
                                                              : kfold_within_groups(set.groups, k, seed);
    return evaluate_folds(set, split, options);
}

Fold hold_out_operators(const TrainingSet &set, const std::vector<std::string> &ops) {
    const std::vector<std::string> known = operators_of(set);
    for (const std::string &op : ops)
        if (std::find(known.begin(), known.end(), op) == known.end()) {
            std::string list;
            for (const std::string &k : known) list += (list.empty() ? "" : ", ") + k;
            throw_usage("no ok measurements of operator '" + op + "' to hold out (operators: " + list + ")");
        }
    Fold split;
    for (std::size_t i = 0; i < set.groups.size(); i++) {
        const std::string &op = set.workload_ops.at(set.groups[i]);
        (std::find(ops.begin(), ops.end(), op) != ops.end() ? split.test : split.train).push_back(i);
    }
    return split;
}

TrainingSet subset(const TrainingSet &set, const std::vector<std::size_t> &rows) {
    TrainingSet out;
    out.skipped_records = set.skipped_records;
    out.features = select_rows(set.features, rows);
    out.times_s = select_rows(set.times_s, rows);
    std::map<GroupId, GroupId> renumber;
    for (std::size_t r : rows) {
        const GroupId g = set.groups.at(r);
        auto it = renumber.find(g);
        if (it == renumber.end()) {
            it = renumber.emplace(g, (GroupId)out.workload_keys.size()).first;
            out.workload_keys.push_back(set.workload_keys.at(g));
            out.workload_ops.push_back(set.workload_ops.at(g));
        }
        out.groups.push_back(it->second);
    }
    return out;
}

HeldOut evaluate_split(const TrainingSet &set, const Fold &split, const XgbOptions &options) {
    if (split.train.empty()) {
        HeldOut h;
        h.note = "n/a (nothing left to train on)";
        return h;
    }
    return evaluate_folds(set, {split}, options);
}

nlohmann::json to_json(const HeldOut &h) {
    nlohmann::json j{{"pairwise_accuracy", value_or_null(h.metrics.pairwise)},
                     {"pairs", h.metrics.pairwise.count},
                     {"spearman", value_or_null(h.metrics.spearman)},
                     {"top1_recall", value_or_null(h.metrics.top1)},
                     {"top5pct_recall", value_or_null(h.metrics.top5pct)},
                     {"records", h.records},
                     {"workloads", h.workloads},
                     {"folds", h.folds}};
    nlohmann::json gaps = nlohmann::json::array();
    const std::vector<TimeGapBand> &bands = time_gap_bands();
    for (std::size_t b = 0; b < bands.size() && b < h.pairwise_by_gap.size(); b++)
        gaps.push_back({{"band", bands[b].label},
                        {"min_ratio", bands[b].min_ratio},
                        {"max_ratio", std::isfinite(bands[b].max_ratio) ? nlohmann::json(bands[b].max_ratio)
                                                                        : nlohmann::json()},
                        {"pairwise_accuracy", value_or_null(h.pairwise_by_gap[b])},
                        {"pairs", h.pairwise_by_gap[b].count}});
    j["pairwise_by_time_gap"] = gaps;
    if (!h.note.empty()) j["note"] = h.note;
    return j;
}

std::unique_ptr<CostModel> load_stored_model(Database &db, const std::string &device_key,
                                             const XgbOptions &options) {
    const FeatureSchema &schema = feature_schema();
    std::optional<StoredModel> stored = db.get_model(device_key, schema.name, schema.version);
    if (!stored) return nullptr;
    auto model = make_xgboost_model(options);
    try {
        model->from_bytes(stored->blob, &schema);
    } catch (const Error &e) {
        std::cerr << "htune: warning: the stored cost model of " << device_key << " in '" << db.path()
                  << "' cannot be used: " << e.what() << "\n";
        return nullptr;
    }
    return model;
}

}  // namespace htune
