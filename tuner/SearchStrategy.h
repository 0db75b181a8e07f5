// SearchStrategy.h: the SearchStrategy seam (DESIGN.md, "Search strategies and what the model is worth")
// and the candidate generators behind it. Start at SearchStrategy and make_search_strategy.
//   guided    = evolutionary search (mutations and crossovers of the best measured schedules
//               plus fresh samples, over a few generations) whose candidates the cost model
//               ranks; the model's top picks plus an epsilon share at random.
//   evolution = the same machinery, rng stream and epsilon, but candidates ranked at random:
//               guided and evolution differ in one thing, the model.
//   random    = distinct fresh samples of the space.
// Seeds (autoschedulers' imports, other parameters' best, sketches) are not a strategy's
// business: the loop (Tuner.cpp) measures them first, for every strategy, when they are
// switched on, and once measured they are in the population like any other schedule. So every
// ablation (strategy, seeds, sketches) changes one thing. No strategy ever proposes a hash in
// `exclude` (what the database already holds) nor one twice.
#pragma once

#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "measure/MeasureResult.h"
#include "schedules/Schedule.h"
#include "schedules/Space.h"

namespace htune {

struct SearchOptions {
    int pool = 384;           // candidates scored per proposal, over all generations
    int generations = 3;      // rounds of (children of the elite -> score -> new elite)
    int elite = 24;           // parents kept per generation
    double epsilon = 0.2;     // share of each batch drawn at random from the unpicked candidates
    double fresh = 0.2;       // share of children that are fresh samples of the space
    double crossover = 0.15;  // share of children that mix the Funcs of two parents
    int max_mutations = 3;    // a mutated child takes 1..max_mutations mutation steps
};

// Scores a list of schedules of one workload: one value per schedule, higher =
// predicted faster.
using ScoreFunction = std::function<std::vector<float>(const std::vector<Schedule> &)>;

// What a strategy sees of one workload when it proposes. References are valid during the
// propose() call only.
struct SearchRequest {
    const ScheduleSpace &space;
    // The workload's best measured ok schedules, fastest first (measured seeds among them):
    // the parents of the evolutionary strategies. May be empty.
    const std::vector<Schedule> &population;
    const std::set<std::string> &exclude;  // hashes never to propose
    int n = 0;                             // batch size wanted
    // Past the warm-up: the workload has TuneOptions::min_ok_rows ok measurements, or a
    // transfer model ranks from the first batch. Before it the evolutionary strategies sample
    // at random, since a population of one or two schedules makes poor parents.
    bool warm = false;
    // The cost model's scores of this workload's schedules; empty when the run uses no model or
    // it cannot rank yet (untrained). Only model-ranked strategies call it.
    ScoreFunction model;
};

// One search strategy for one workload (the loop makes one per workload, so state kept here is
// that workload's). Not thread-safe; called from the loop's thread only.
class SearchStrategy {
public:
    virtual ~SearchStrategy() = default;
    virtual std::string name() const = 0;
    // Whether it ranks with the cost model: the loop featurizes, trains and predicts only then,
    // so a run without a model pays nothing for one.
    virtual bool uses_model() const = 0;
    // Up to request.n distinct schedules whose hashes are not in request.exclude (fewer only
    // when the space seems exhausted: bounded attempts). Deterministic given rng's state.
    virtual std::vector<Schedule> propose(const SearchRequest &request, std::mt19937_64 &rng) = 0;
    // The results of one measured search batch of this workload, in batch order (the seeds and
    // the heuristic measured in it included; the end-of-run confirmation not). The loop passes
    // every measured ok schedule back through the population anyway; this is the hook for a
    // strategy that learns from failures or from its own proposals (none of the three does).
    virtual void observe(const std::vector<Schedule> &batch, const std::vector<MeasureResult> &results) {
        (void)batch;
        (void)results;
    }
};

// The strategy called `name` (one of search_strategy_names()); throws a usage Error naming the
// bad name and the choices otherwise.
std::unique_ptr<SearchStrategy> make_search_strategy(const std::string &name, const SearchOptions &options);

// "guided", "evolution", "random": what make_search_strategy knows, in the order help lists them.
const std::vector<std::string> &search_strategy_names();
// The names joined for messages: "guided, evolution or random" (or with other separators,
// e.g. "|" and "|" for a usage line).
std::string search_strategy_choices(const std::string &sep = ", ", const std::string &last = " or ");

// Up to `n` distinct fresh samples whose hashes are not in `exclude` (fewer
// only when the space seems exhausted: bounded attempts).
std::vector<Schedule> propose_random(const ScheduleSpace &space, int n, const std::set<std::string> &exclude,
                                     std::mt19937_64 &rng);

// The evolutionary search of guided and evolution: up to `n` distinct unmeasured schedules,
// ceil((1 - epsilon) * n) of the best-scored candidates, the rest random among the other
// candidates. `population` = the best measured schedules of the workload (fastest first, may be
// empty) and seeds; they are parents, never proposed themselves unless absent from `exclude`.
std::vector<Schedule> propose_evolutionary(const ScheduleSpace &space,
                                           const std::vector<Schedule> &population,
                                           const ScoreFunction &score, int n,
                                           const std::set<std::string> &exclude, const SearchOptions &options,
                                           std::mt19937_64 &rng);

// Evolution's ranking: uniform random scores from a stream of their own, seeded from (a copy of)
// `rng` without advancing it, so the evolutionary search draws the same children from `rng` as
// the guided search does with a model. The returned function owns its stream.
ScoreFunction random_ranking(const std::mt19937_64 &rng);

// A child taking each Func's schedule from `a` or `b` at random; its validity is not checked.
Schedule crossover(const Schedule &a, const Schedule &b, std::mt19937_64 &rng);

}  // namespace htune
