// Search: proposes the next batch of unmeasured schedules of one workload.
// Guided = an evolutionary search in model space (mutations and crossovers of
// the best known schedules plus fresh samples, scored by the cost model over a
// few generations), then the model's top picks plus an epsilon share of random
// candidates; random = distinct fresh samples. Both never propose a hash in
// `exclude` (what the database already holds) nor one twice.
#pragma once

#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

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

// Up to `n` distinct fresh samples whose hashes are not in `exclude` (fewer
// only when the space seems exhausted: bounded attempts).
std::vector<Schedule> propose_random(const ScheduleSpace &space, int n, const std::set<std::string> &exclude,
                                     std::mt19937_64 &rng);

// Up to `n` distinct unmeasured schedules: ceil((1 - epsilon) * n) of the
// model's best-scored candidates, the rest random among the other candidates.
// `population` = the best measured schedules of the workload (fastest first,
// may be empty) and seeds; they are parents, never proposed themselves unless
// absent from `exclude`.
std::vector<Schedule> propose_guided(const ScheduleSpace &space, const std::vector<Schedule> &population,
                                     const ScoreFunction &score, int n, const std::set<std::string> &exclude,
                                     const SearchOptions &options, std::mt19937_64 &rng);

// A child taking each Func's schedule from `a` or `b` at random; "" validity is
// not checked.
Schedule crossover(const Schedule &a, const Schedule &b, std::mt19937_64 &rng);

}  // namespace htune
