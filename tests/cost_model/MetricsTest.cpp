// Ranking metrics on hand-made examples with hand-computed values, and the k-fold helpers'
// coverage and determinism. See cost_model/Metrics.h for the definitions under test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "cost_model/Metrics.h"
#include "ops/Error.h"

using namespace htune;

namespace {
// Two groups: group 1 has 4 rows, group 2 has 3 rows. Times in seconds.
const std::vector<double> kTimes = {1, 2, 3, 4, 10, 20, 30};
const std::vector<GroupId> kGroups = {1, 1, 1, 1, 2, 2, 2};
const std::vector<float> kPerfect = {4, 3, 2, 1, 30, 20, 10};  // higher score = faster
const std::vector<float> kReversed = {1, 2, 3, 4, 10, 20, 30};
}  // namespace

TEST(MetricsTest, PerfectRankingScoresOne) {
    RankingMetrics m = evaluate_ranking(kPerfect, kTimes, kGroups);
    EXPECT_DOUBLE_EQ(m.pairwise.value, 1.0);
    EXPECT_EQ(m.pairwise.count, 6u + 3u);  // C(4,2) + C(3,2) pairs
    EXPECT_DOUBLE_EQ(m.spearman.value, 1.0);
    EXPECT_EQ(m.spearman.count, 2u);
    EXPECT_DOUBLE_EQ(m.top1.value, 1.0);
    EXPECT_DOUBLE_EQ(m.top5pct.value, 1.0);
}

TEST(MetricsTest, ReversedRankingScoresZeroAndMinusOne) {
    RankingMetrics m = evaluate_ranking(kReversed, kTimes, kGroups);
    EXPECT_DOUBLE_EQ(m.pairwise.value, 0.0);
    EXPECT_DOUBLE_EQ(m.spearman.value, -1.0);
    EXPECT_DOUBLE_EQ(m.top1.value, 0.0);
    EXPECT_DOUBLE_EQ(m.top5pct.value, 0.0);
}

TEST(MetricsTest, HandComputedMixedRanking) {
    // Group 1: swap the two slowest rows -> 5 of 6 pairs right; rank d^2 sum = 2,
    // rho = 1 - 6*2/(4*15) = 0.8. Group 2: best predicted second-best: 2 of 3 pairs right,
    // d^2 sum = 2, rho = 1 - 6*2/(3*8) = 0.5. Top-1: group 1 hit, group 2 miss.
    std::vector<float> s = {4, 3, 1, 2, 20, 30, 10};
    EXPECT_DOUBLE_EQ(pairwise_accuracy(s, kTimes, kGroups).value, 7.0 / 9.0);
    EXPECT_DOUBLE_EQ(spearman_rho(s, kTimes, kGroups).value, (0.8 + 0.5) / 2);
    EXPECT_DOUBLE_EQ(top1_recall(s, kTimes, kGroups).value, 0.5);
    EXPECT_DOUBLE_EQ(top_k_recall(s, kTimes, kGroups, 2).value, 1.0);
}

TEST(MetricsTest, TiesAreHandledAsDocumented) {
    std::vector<float> flat(kTimes.size(), 0.0f);
    EXPECT_DOUBLE_EQ(pairwise_accuracy(flat, kTimes, kGroups).value, 0.5);  // a tie counts 1/2
    EXPECT_DOUBLE_EQ(spearman_rho(flat, kTimes, kGroups).value, 0.0);       // constant scores
    EXPECT_DOUBLE_EQ(top1_recall(flat, kTimes, kGroups).value, 0.0);        // pessimistic ties
    // Pairs with equal true times are not counted; a group of equal times is skipped.
    std::vector<double> t = {1, 1, 2, 5, 5};
    std::vector<GroupId> g = {1, 1, 1, 2, 2};
    MetricValue m = pairwise_accuracy({3, 2, 1, 0, 1}, t, g);
    EXPECT_EQ(m.count, 2u);
    EXPECT_EQ(m.skipped_groups, 1u);
    EXPECT_DOUBLE_EQ(m.value, 1.0);
}

TEST(MetricsTest, TimeGapBandsSplitThePairsByHowFarApartTheirTimesAre) {
    // Group 1: times 1, 1.02, 1.5, 4. Pairs by slower/faster ratio: 1.02 (<5%); 1.5 and 1.47
    // (25%-2x); 4, 3.92 and 2.67 (>=2x). The scores get the near-tie and 1 vs 1.5 wrong.
    std::vector<double> t = {1, 1.02, 1.5, 4, 7, 7};
    std::vector<GroupId> g = {1, 1, 1, 1, 2, 2};  // group 2: equal times, nothing to rank
    std::vector<float> s = {3, 4, 3.5f, 1, 0, 1};
    const auto &bands = time_gap_bands();
    ASSERT_EQ(bands.size(), 4u);
    std::vector<MetricValue> m;
    for (const TimeGapBand &b : bands)
        m.push_back(pairwise_accuracy_in_band(s, t, g, b.min_ratio, b.max_ratio));
    EXPECT_EQ(m[0].count, 1u);
    EXPECT_DOUBLE_EQ(m[0].value, 0.0);
    EXPECT_EQ(m[1].count, 0u);  // no pair 5-25% apart
    EXPECT_TRUE(std::isnan(m[1].value));
    EXPECT_EQ(m[1].skipped_groups, 2u);
    EXPECT_EQ(m[2].count, 2u);
    EXPECT_DOUBLE_EQ(m[2].value, 0.5);  // 1.02 vs 1.5 right, 1 vs 1.5 wrong
    EXPECT_EQ(m[3].count, 3u);
    EXPECT_DOUBLE_EQ(m[3].value, 1.0);
    // The bands cover every pair with different times exactly once.
    MetricValue all = pairwise_accuracy(s, t, g);
    EXPECT_EQ(all.count, m[0].count + m[1].count + m[2].count + m[3].count);
    EXPECT_DOUBLE_EQ(all.value * all.count,
                     m[0].value * m[0].count + m[2].value * m[2].count + m[3].value * m[3].count);
}

TEST(MetricsTest, TopFractionUsesAtLeastOneRow) {
    // 40 rows: k = floor(0.05 * 40) = 2. The best row is scored second -> hit; third -> miss.
    std::vector<double> t;
    std::vector<GroupId> g(40, 7);
    std::vector<float> s;
    for (int i = 0; i < 40; ++i) {
        t.push_back(1 + i);
        s.push_back(float(40 - i));
    }
    std::swap(s[0], s[1]);
    EXPECT_DOUBLE_EQ(top_fraction_recall(s, t, g).value, 1.0);
    std::swap(s[0], s[2]);
    EXPECT_DOUBLE_EQ(top_fraction_recall(s, t, g).value, 0.0);
    // 10 rows: k = max(1, floor(0.5)) = 1.
    std::vector<double> t10(t.begin(), t.begin() + 10);
    std::vector<float> s10 = {9, 10, 8, 7, 6, 5, 4, 3, 2, 1};
    EXPECT_DOUBLE_EQ(top_fraction_recall(s10, t10, std::vector<GroupId>(10, 1)).value, 0.0);
}

TEST(MetricsTest, EmptyInputGivesNanWithZeroCount) {
    MetricValue m = pairwise_accuracy({}, {}, {});
    EXPECT_EQ(m.count, 0u);
    EXPECT_TRUE(std::isnan(m.value));
    EXPECT_THROW(pairwise_accuracy({1}, {1, 2}, {1, 1}), Error);
}

TEST(MetricsTest, GroupFoldsHoldOutWholeGroupsDeterministically) {
    std::vector<GroupId> g;
    for (int r = 0; r < 60; ++r) g.push_back(GroupId(r % 6));
    auto folds = kfold_by_group(g, 3, 42);
    ASSERT_EQ(folds.size(), 3u);
    std::multiset<std::size_t> tested;
    for (const Fold &f : folds) {
        std::set<GroupId> test_groups, train_groups;
        for (auto r : f.test) test_groups.insert(g[r]), tested.insert(r);
        for (auto r : f.train) train_groups.insert(g[r]);
        EXPECT_EQ(test_groups.size(), 2u);
        for (GroupId id : test_groups) EXPECT_EQ(train_groups.count(id), 0u);
        EXPECT_EQ(f.train.size() + f.test.size(), g.size());
    }
    EXPECT_EQ(tested.size(), g.size());
    EXPECT_EQ(std::set<std::size_t>(tested.begin(), tested.end()).size(), g.size());  // each row once
    auto again = kfold_by_group(g, 3, 42);
    for (int f = 0; f < 3; ++f) EXPECT_EQ(folds[f].test, again[f].test);
    EXPECT_THROW(kfold_by_group(g, 7, 42), Error);
    EXPECT_THROW(kfold_by_group(g, 1, 42), Error);
}

TEST(MetricsTest, RowFoldsSplitEveryGroupDeterministically) {
    std::vector<GroupId> g;
    for (int r = 0; r < 50; ++r) g.push_back(GroupId(r % 5));
    auto folds = kfold_within_groups(g, 5, 7);
    ASSERT_EQ(folds.size(), 5u);
    std::set<std::size_t> tested;
    for (const Fold &f : folds) {
        std::set<GroupId> test_groups;
        for (auto r : f.test) test_groups.insert(g[r]), tested.insert(r);
        EXPECT_EQ(test_groups.size(), 5u);  // every workload appears in every test fold
        EXPECT_EQ(f.test.size(), 10u);
    }
    EXPECT_EQ(tested.size(), g.size());
    EXPECT_EQ(kfold_within_groups(g, 5, 7)[2].test, folds[2].test);
    EXPECT_NE(kfold_within_groups(g, 5, 8)[2].test, folds[2].test);
}
