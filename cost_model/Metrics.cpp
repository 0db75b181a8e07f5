// Ranking metrics and k-fold splits (see Metrics.h for the contract). Everything is computed
// per group because times of different workloads are not comparable; the shuffles use our own
// Fisher-Yates on mt19937_64 so folds are identical across standard libraries.
#include "cost_model/Metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <random>

#include "ops/Error.h"

namespace htune {

namespace {

using Rows = std::vector<std::size_t>;

std::map<GroupId, Rows> rows_by_group(const std::vector<GroupId> &groups) {
    std::map<GroupId, Rows> out;  // ordered by id: deterministic iteration
    for (std::size_t r = 0; r < groups.size(); ++r) out[groups[r]].push_back(r);
    return out;
}

void check_sizes(const std::vector<float> &s, const std::vector<double> &t, const std::vector<GroupId> &g,
                 const char *what) {
    if (s.size() != t.size() || s.size() != g.size())
        throw_usage(std::string(what) + ": " + std::to_string(s.size()) + " scores, " +
                    std::to_string(t.size()) + " times, " + std::to_string(g.size()) + " group ids");
}

// A group is rankable when it has two rows with different times.
bool rankable(const Rows &rows, const std::vector<double> &t) {
    for (std::size_t r : rows)
        if (t[r] != t[rows[0]]) return true;
    return false;
}

MetricValue finish(double sum, std::size_t count, std::size_t groups, std::size_t skipped) {
    double v = count ? sum / double(count) : std::numeric_limits<double>::quiet_NaN();
    return MetricValue{v, count, groups, skipped};
}

// Ranks 1..n with ties given their average rank (the standard Spearman convention).
std::vector<double> average_ranks(const std::vector<double> &v) {
    std::vector<std::size_t> idx(v.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> rank(v.size());
    for (std::size_t i = 0; i < idx.size();) {
        std::size_t j = i;
        while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
        for (std::size_t m = i; m <= j; ++m) rank[idx[m]] = (double(i) + double(j)) / 2 + 1;
        i = j + 1;
    }
    return rank;
}

double pearson(const std::vector<double> &a, const std::vector<double> &b) {
    double ma = std::accumulate(a.begin(), a.end(), 0.0) / a.size();
    double mb = std::accumulate(b.begin(), b.end(), 0.0) / b.size();
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa == 0 || sbb == 0 ? 0.0 : sab / std::sqrt(saa * sbb);
}

// Fisher-Yates with a portable bounded draw (std::uniform_int_distribution and std::shuffle
// are implementation-defined, which would make folds differ between toolchains).
void shuffle(Rows &v, std::mt19937_64 &rng) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng() % i]);
}

std::vector<Fold> folds_from_assignment(const std::vector<int> &fold_of_row, int k) {
    std::vector<Fold> folds(k);
    for (std::size_t r = 0; r < fold_of_row.size(); ++r)
        for (int f = 0; f < k; ++f) (f == fold_of_row[r] ? folds[f].test : folds[f].train).push_back(r);
    return folds;
}

}  // namespace

MetricValue pairwise_accuracy(const std::vector<float> &s, const std::vector<double> &t,
                              const std::vector<GroupId> &g) {
    return pairwise_accuracy_in_band(s, t, g, 1.0, std::numeric_limits<double>::infinity());
}

MetricValue pairwise_accuracy_in_band(const std::vector<float> &s, const std::vector<double> &t,
                                      const std::vector<GroupId> &g, double min_ratio, double max_ratio) {
    check_sizes(s, t, g, "pairwise_accuracy");
    double correct = 0;
    std::size_t pairs = 0, used = 0, skipped = 0;
    for (const auto &[id, rows] : rows_by_group(g)) {
        if (!rankable(rows, t)) {
            ++skipped;
            continue;
        }
        std::size_t in_band = 0;
        for (std::size_t i = 0; i < rows.size(); ++i)
            for (std::size_t j = i + 1; j < rows.size(); ++j) {
                std::size_t a = rows[i], b = rows[j];
                if (t[a] == t[b]) continue;
                if (t[a] > t[b]) std::swap(a, b);  // now a is truly faster
                const double ratio = t[b] / t[a];
                if (ratio < min_ratio || ratio >= max_ratio) continue;
                ++in_band;
                correct += s[a] > s[b] ? 1.0 : s[a] == s[b] ? 0.5 : 0.0;
            }
        pairs += in_band;
        in_band ? ++used : ++skipped;
    }
    return finish(correct, pairs, used, skipped);
}

const std::vector<TimeGapBand> &time_gap_bands() {
    static const std::vector<TimeGapBand> bands{
        {"<5%", 1.0, 1.05},
        {"5-25%", 1.05, 1.25},
        {"25%-2x", 1.25, 2.0},
        {">=2x", 2.0, std::numeric_limits<double>::infinity()},
    };
    return bands;
}

MetricValue spearman_rho(const std::vector<float> &s, const std::vector<double> &t,
                         const std::vector<GroupId> &g) {
    check_sizes(s, t, g, "spearman_rho");
    double sum = 0;
    std::size_t used = 0, skipped = 0;
    for (const auto &[id, rows] : rows_by_group(g)) {
        if (!rankable(rows, t)) {
            ++skipped;
            continue;
        }
        std::vector<double> sg, neg_t;
        for (std::size_t r : rows) {
            sg.push_back(s[r]);
            neg_t.push_back(-t[r]);
        }
        sum += pearson(average_ranks(sg), average_ranks(neg_t));
        ++used;
    }
    return finish(sum, used, used, skipped);
}

MetricValue top_k_recall(const std::vector<float> &s, const std::vector<double> &t,
                         const std::vector<GroupId> &g, std::size_t k) {
    check_sizes(s, t, g, "top_k_recall");
    if (k < 1) throw_usage("top_k_recall: k must be >= 1");
    double hits = 0;
    std::size_t used = 0, skipped = 0;
    for (auto [id, rows] : rows_by_group(g)) {
        if (!rankable(rows, t)) {
            ++skipped;
            continue;
        }
        ++used;
        double best = t[rows[0]];
        for (std::size_t r : rows) best = std::min(best, t[r]);
        std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
            return s[a] != s[b] ? s[a] > s[b] : t[a] > t[b];  // score ties: slower first
        });
        for (std::size_t i = 0; i < std::min(k, rows.size()); ++i)
            if (t[rows[i]] == best) {
                hits += 1;
                break;
            }
    }
    return finish(hits, used, used, skipped);
}

MetricValue top1_recall(const std::vector<float> &s, const std::vector<double> &t,
                        const std::vector<GroupId> &g) {
    return top_k_recall(s, t, g, 1);
}

MetricValue top_fraction_recall(const std::vector<float> &s, const std::vector<double> &t,
                                const std::vector<GroupId> &g, double fraction) {
    if (!(fraction > 0 && fraction <= 1)) throw_usage("top_fraction_recall: fraction must be in (0, 1]");
    // k differs per group, so evaluate each group on its own and merge the counts.
    MetricValue total{0, 0, 0, 0};
    double hits = 0;
    for (const auto &[id, rows] : rows_by_group(g)) {
        std::size_t k = std::max<std::size_t>(1, std::size_t(std::floor(fraction * double(rows.size()))));
        MetricValue m = top_k_recall(select_rows(s, rows), select_rows(t, rows), select_rows(g, rows), k);
        hits += m.count ? m.value : 0.0;
        total.count += m.count;
        total.skipped_groups += m.skipped_groups;
    }
    return finish(hits, total.count, total.count, total.skipped_groups);
}

RankingMetrics evaluate_ranking(const std::vector<float> &s, const std::vector<double> &t,
                                const std::vector<GroupId> &g) {
    return {pairwise_accuracy(s, t, g), spearman_rho(s, t, g), top1_recall(s, t, g),
            top_fraction_recall(s, t, g, 0.05)};
}

void to_json(nlohmann::json &j, const MetricValue &m) {
    j = nlohmann::json{{"value", std::isnan(m.value) ? nlohmann::json() : nlohmann::json(m.value)},
                       {"count", m.count},
                       {"groups", m.groups},
                       {"skipped_groups", m.skipped_groups}};
}

void to_json(nlohmann::json &j, const RankingMetrics &m) {
    j = nlohmann::json{{"pairwise_accuracy", m.pairwise},
                       {"spearman_rho", m.spearman},
                       {"top1_recall", m.top1},
                       {"top5pct_recall", m.top5pct}};
}

std::vector<Fold> kfold_by_group(const std::vector<GroupId> &groups, int k, std::uint64_t seed) {
    auto by_group = rows_by_group(groups);
    if (k < 2 || std::size_t(k) > by_group.size())
        throw_usage("kfold_by_group: k = " + std::to_string(k) + " needs 2 <= k <= groups (" +
                    std::to_string(by_group.size()) + ")");
    Rows ids;
    for (const auto &entry : by_group) ids.push_back(entry.first);
    std::mt19937_64 rng(seed);
    shuffle(ids, rng);
    std::vector<int> fold_of_row(groups.size());
    for (std::size_t i = 0; i < ids.size(); ++i)
        for (std::size_t r : by_group[GroupId(ids[i])]) fold_of_row[r] = int(i % k);
    return folds_from_assignment(fold_of_row, k);
}

std::vector<Fold> kfold_within_groups(const std::vector<GroupId> &groups, int k, std::uint64_t seed) {
    if (k < 2 || std::size_t(k) > groups.size())
        throw_usage("kfold_within_groups: k = " + std::to_string(k) + " needs 2 <= k <= rows (" +
                    std::to_string(groups.size()) + ")");
    std::mt19937_64 rng(seed);
    std::vector<int> fold_of_row(groups.size());
    std::size_t next = 0;  // carried across groups so small groups do not all fill fold 0
    for (auto [id, rows] : rows_by_group(groups)) {
        shuffle(rows, rng);
        for (std::size_t r : rows) fold_of_row[r] = int(next++ % k);
    }
    return folds_from_assignment(fold_of_row, k);
}

}  // namespace htune
