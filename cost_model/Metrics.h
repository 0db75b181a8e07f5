// Ranking metrics of a cost model's scores against measured times, computed within groups
// (workloads), plus deterministic k-fold splits for honest held-out evaluation
// (DESIGN.md: "metrics that are reported, never assumed"). Definitions: README / Metrics.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "cost_model/CostModel.h"

namespace htune {

// One metric value with what it was computed on. `value` is NaN when count == 0.
struct MetricValue {
    double value = 0;
    std::size_t count = 0;           // pairs (pairwise accuracy) or groups (all others) used
    std::size_t groups = 0;          // groups that contributed
    std::size_t skipped_groups = 0;  // groups with nothing to rank (< 2 rows or all times equal)
};

// All inputs are per row: scores (higher = predicted faster), times in seconds (lower =
// faster), group ids. Sizes must match (else Error(usage)). Pure functions, thread-safe.

// Fraction of within-group pairs with different true times that the scores order correctly
// (a score tie counts 1/2). count = such pairs.
MetricValue pairwise_accuracy(const std::vector<float> &scores, const std::vector<double> &times_s,
                              const std::vector<GroupId> &groups);

// pairwise_accuracy over only the pairs whose slower/faster time ratio is in
// [min_ratio, max_ratio): how well the scores order candidates that differ by that much
// (pairs within measurement noise are coin flips for any model). count = such pairs; a group
// with none counts as skipped.
MetricValue pairwise_accuracy_in_band(const std::vector<float> &scores, const std::vector<double> &times_s,
                                      const std::vector<GroupId> &groups, double min_ratio, double max_ratio);
// The time-gap bands `htune retrain` reports, in order; together they cover every pair with
// different times exactly once: <5%, 5-25%, 25%-2x, >=2x.
struct TimeGapBand {
    const char *label;
    double min_ratio, max_ratio;  // max_ratio = infinity for the last
};
const std::vector<TimeGapBand> &time_gap_bands();

// Spearman rho between scores and -time inside each group (average ranks for ties), then the
// unweighted mean over groups. A group with constant scores gets rho = 0. count = groups.
MetricValue spearman_rho(const std::vector<float> &scores, const std::vector<double> &times_s,
                         const std::vector<GroupId> &groups);

// Fraction of groups whose true best row (any row tied for the minimum time) is among the k
// highest-scored rows; score ties are broken pessimistically (slower row first). count = groups.
MetricValue top_k_recall(const std::vector<float> &scores, const std::vector<double> &times_s,
                         const std::vector<GroupId> &groups, std::size_t k);
// top_k_recall with k = 1.
MetricValue top1_recall(const std::vector<float> &scores, const std::vector<double> &times_s,
                        const std::vector<GroupId> &groups);
// top_k_recall with k = max(1, floor(fraction * group rows)) per group.
MetricValue top_fraction_recall(const std::vector<float> &scores, const std::vector<double> &times_s,
                                const std::vector<GroupId> &groups, double fraction = 0.05);

struct RankingMetrics {
    MetricValue pairwise, spearman, top1, top5pct;
};
RankingMetrics evaluate_ranking(const std::vector<float> &scores, const std::vector<double> &times_s,
                                const std::vector<GroupId> &groups);
void to_json(nlohmann::json &j, const MetricValue &m);
void to_json(nlohmann::json &j, const RankingMetrics &m);

// Row indices (ascending) of one fold: train on `train`, evaluate on `test`.
struct Fold {
    std::vector<std::size_t> train, test;
};

// k folds over whole groups: every group's rows are in exactly one test fold (held-out
// workloads). 2 <= k <= number of groups. Same groups + seed -> same folds on any platform.
std::vector<Fold> kfold_by_group(const std::vector<GroupId> &groups, int k, std::uint64_t seed);

// k folds over rows within each group: every group is split across folds (held-out
// candidates of known workloads). 2 <= k <= number of rows. Deterministic like the above.
std::vector<Fold> kfold_within_groups(const std::vector<GroupId> &groups, int k, std::uint64_t seed);

}  // namespace htune
