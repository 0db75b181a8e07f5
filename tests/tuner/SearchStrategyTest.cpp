// The SearchStrategy seam (tuner/SearchStrategy.h) on its own: guided and evolution are one search that
// differs in the ranking only, random ignores the model and the population, and each
// strategy's warm-up is random sampling. The loop-level ablations (seeds and sketches for every
// strategy) are in TuneLoopTest.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "tuner/SearchStrategy.h"

namespace htune::test {

namespace {

std::vector<std::string> hashes_of(const std::vector<Schedule> &ss) {
    std::vector<std::string> out;
    for (const Schedule &s : ss) out.push_back(schedule_hash(s));
    return out;
}

// A workload's space, a measured population (fastest first: here, sample order) and an exclude
// set holding it, as the loop passes them.
struct Fixture {
    Workload w = make_workload("matmul", true);
    ScheduleSpace space{w, host_target()};
    std::vector<Schedule> population;
    std::set<std::string> exclude;
    SearchOptions options;

    Fixture() {
        std::mt19937_64 rng(99);
        population = propose_random(space, 8, {}, rng);
        for (const Schedule &s : population) exclude.insert(schedule_hash(s));
        options.pool = 96;
    }
    SearchRequest request(int n, bool warm, ScoreFunction model) const {
        return SearchRequest{space, population, exclude, n, warm, std::move(model)};
    }
    std::vector<Schedule> propose(const std::string &strategy, const SearchRequest &r, uint64_t seed) const {
        std::mt19937_64 rng(seed);
        return make_search_strategy(strategy, options)->propose(r, rng);
    }
};

// Scores that say nothing: every candidate alike.
ScoreFunction constant_model(int *calls = nullptr) {
    return [calls](const std::vector<Schedule> &ss) {
        if (calls) ++*calls;
        return std::vector<float>(ss.size(), 1.0f);
    };
}

void expect_distinct_and_unmeasured(const std::vector<Schedule> &batch,
                                    const std::set<std::string> &exclude) {
    auto hs = hashes_of(batch);
    EXPECT_EQ(std::set<std::string>(hs.begin(), hs.end()).size(), hs.size()) << "a hash proposed twice";
    for (const auto &h : hs) EXPECT_EQ(exclude.count(h), 0u) << "a measured hash proposed: " << h;
}

}  // namespace

TEST(SearchStrategyTest, TheFactoryKnowsThreeStrategiesAndNamesABadOne) {
    EXPECT_EQ(search_strategy_names(), (std::vector<std::string>{"guided", "evolution", "random"}));
    SearchOptions o;
    for (const std::string &name : search_strategy_names()) {
        auto s = make_search_strategy(name, o);
        ASSERT_TRUE(s);
        EXPECT_EQ(s->name(), name);
        EXPECT_EQ(s->uses_model(), name == "guided") << name;
    }
    try {
        make_search_strategy("annealing", o);
        FAIL() << "no error for an unknown strategy";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage);
        EXPECT_NE(std::string(e.what()).find("'annealing'"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
}

// The ablation's claim: evolution is guided with the model swapped for a random ranking, and
// nothing else. Given that ranking as its "model", guided proposes exactly what evolution does,
// from the same rng state: same children, same generations, same epsilon picks.
TEST(SearchStrategyTest, EvolutionIsGuidedWithARandomRankingInPlaceOfTheModel) {
    Fixture f;
    for (uint64_t seed : {1, 2, 3}) {
        std::mt19937_64 rng(seed);
        auto evolution = f.propose("evolution", f.request(16, true, nullptr), seed);
        auto guided = f.propose("guided", f.request(16, true, random_ranking(rng)), seed);
        ASSERT_EQ(evolution.size(), 16u);
        EXPECT_EQ(hashes_of(evolution), hashes_of(guided)) << "seed " << seed;
        expect_distinct_and_unmeasured(evolution, f.exclude);
        // And it is the evolutionary search, not fresh samples: a different proposal.
        EXPECT_NE(hashes_of(evolution), hashes_of(f.propose("random", f.request(16, true, nullptr), seed)));
    }
    // A real ranking changes the picks.
    std::mt19937_64 rng(1);
    ScoreFunction by_hash = [](const std::vector<Schedule> &ss) {
        std::vector<float> out;
        for (const Schedule &s : ss) out.push_back((float)std::hash<std::string>()(schedule_hash(s)));
        return out;
    };
    EXPECT_NE(hashes_of(f.propose("guided", f.request(16, true, by_hash), 1)),
              hashes_of(f.propose("evolution", f.request(16, true, nullptr), 1)));
}

// With one generation the candidate pool does not depend on the ranking at all: guided (with
// scores that say nothing) and evolution hold the same candidates and differ in the order they
// pick them only.
TEST(SearchStrategyTest, OneGenerationGivesTheSamePoolAndOnlyThePickOrderDiffers) {
    Fixture f;
    f.options.generations = 1;
    f.options.pool = 24;  // the whole pool is proposed
    f.options.epsilon = 0;
    int model_calls = 0;
    auto guided = hashes_of(f.propose("guided", f.request(24, true, constant_model(&model_calls)), 5));
    auto evolution = hashes_of(f.propose("evolution", f.request(24, true, constant_model(&model_calls)), 5));
    ASSERT_EQ(guided.size(), 24u);
    EXPECT_EQ(model_calls, 1) << "guided scores the one generation once; evolution never asks the model";
    EXPECT_EQ(std::set<std::string>(guided.begin(), guided.end()),
              std::set<std::string>(evolution.begin(), evolution.end()));
    EXPECT_NE(guided, evolution) << "evolution's random ranking kept the pool's order";
}

TEST(SearchStrategyTest, RandomIgnoresTheModelAndThePopulation) {
    Fixture f;
    int calls = 0;
    auto with_model = hashes_of(f.propose("random", f.request(12, true, constant_model(&calls)), 4));
    EXPECT_EQ(calls, 0);
    Fixture other;  // the same space and exclude set; only the population differs
    other.population.clear();
    other.population.push_back(other.space.heuristic());
    other.exclude = f.exclude;
    auto other_population = hashes_of(other.propose("random", other.request(12, true, nullptr), 4));
    EXPECT_EQ(with_model, other_population);
    std::mt19937_64 rng(4);
    EXPECT_EQ(with_model, hashes_of(propose_random(f.space, 12, f.exclude, rng)));
    expect_distinct_and_unmeasured(f.propose("random", f.request(12, true, nullptr), 4), f.exclude);
}

// Before the warm-up (too few ok rows) both evolutionary strategies sample at random, from the
// same rng draws as random does; guided also does while its model cannot rank (no model).
TEST(SearchStrategyTest, BeforeTheWarmUpEveryStrategyProposesTheSameRandomSamples) {
    Fixture f;
    int calls = 0;
    auto random = hashes_of(f.propose("random", f.request(10, false, nullptr), 11));
    EXPECT_EQ(hashes_of(f.propose("guided", f.request(10, false, constant_model(&calls)), 11)), random);
    EXPECT_EQ(hashes_of(f.propose("evolution", f.request(10, false, nullptr), 11)), random);
    EXPECT_EQ(hashes_of(f.propose("guided", f.request(10, true, nullptr), 11)), random);
    EXPECT_EQ(calls, 0);
}

TEST(SearchStrategyTest, RandomRankingDoesNotAdvanceTheRunsRngAndIsReproducible) {
    std::mt19937_64 rng(21), untouched(21);
    ScoreFunction a = random_ranking(rng), b = random_ranking(rng);
    std::vector<Schedule> three(3);
    auto sa = a(three);
    EXPECT_EQ(rng(), untouched());  // taking a ranking left the stream where it was
    EXPECT_EQ(sa, b(three));        // same state -> same ranking
    EXPECT_NE(sa, a(three));        // a ranking's own stream moves on
}

}  // namespace htune::test
