// SearchStrategy.h: the search strategies and candidate generation for one workload.
#include "tuner/SearchStrategy.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ops/Error.h"

namespace htune {

namespace {

constexpr int kAttemptsPerCandidate = 20;

double uniform(std::mt19937_64 &rng) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }

// Rank-biased parent choice: index floor(n * u^2) favours the front (the best).
const Schedule &pick_parent(const std::vector<Schedule> &parents, std::mt19937_64 &rng) {
    double u = uniform(rng);
    size_t i = std::min(parents.size() - 1, (size_t)(parents.size() * u * u));
    return parents[i];
}

}  // namespace

Schedule crossover(const Schedule &a, const Schedule &b, std::mt19937_64 &rng) {
    Schedule c = a;
    for (auto &[name, fs] : c.funcs) {
        auto it = b.funcs.find(name);
        if (it != b.funcs.end() && (rng() & 1)) fs = it->second;
    }
    return c;
}

std::vector<Schedule> propose_random(const ScheduleSpace &space, int n, const std::set<std::string> &exclude,
                                     std::mt19937_64 &rng) {
    std::vector<Schedule> out;
    std::set<std::string> seen;
    long attempts = 0, max_attempts = (long)kAttemptsPerCandidate * std::max(n, 1) + 100;
    while ((int)out.size() < n && attempts++ < max_attempts) {
        Schedule s = space.sample(rng);
        std::string h = schedule_hash(s);
        if (exclude.count(h) || !seen.insert(h).second) continue;
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<Schedule> propose_evolutionary(const ScheduleSpace &space,
                                           const std::vector<Schedule> &population,
                                           const ScoreFunction &score, int n,
                                           const std::set<std::string> &exclude, const SearchOptions &o,
                                           std::mt19937_64 &rng) {
    if (n <= 0) return {};
    std::vector<Schedule> cands;
    std::vector<float> scores;
    std::set<std::string> seen;
    // Unmeasured members of the population (e.g. seeds from other parameters)
    // compete too.
    std::vector<Schedule> fresh_pop;
    for (const Schedule &s : population) {
        std::string h = schedule_hash(s);
        if (!exclude.count(h) && seen.insert(h).second) fresh_pop.push_back(s);
    }
    if (!fresh_pop.empty()) {
        std::vector<float> sc = score(fresh_pop);
        cands.insert(cands.end(), fresh_pop.begin(), fresh_pop.end());
        scores.insert(scores.end(), sc.begin(), sc.end());
    }

    std::vector<Schedule> parents(population.begin(),
                                  population.begin() + std::min<size_t>(population.size(), o.elite));
    int gens = std::max(1, o.generations);
    int per_gen = std::max(n, o.pool / gens);
    for (int g = 0; g < gens; g++) {
        std::vector<Schedule> children;
        long attempts = 0, max_attempts = (long)kAttemptsPerCandidate * per_gen;
        while ((int)children.size() < per_gen && attempts++ < max_attempts) {
            double u = uniform(rng);
            Schedule child;
            if (parents.empty() || u < o.fresh) {
                child = space.sample(rng);
            } else if (parents.size() >= 2 && u < o.fresh + o.crossover) {
                child = crossover(pick_parent(parents, rng), pick_parent(parents, rng), rng);
                if (!space.validate(child).empty()) continue;
            } else {
                child = pick_parent(parents, rng);
                int steps = 1 + (int)(rng() % (uint64_t)std::max(1, o.max_mutations));
                for (int k = 0; k < steps; k++) child = space.mutate(child, rng);
            }
            std::string h = schedule_hash(child);
            if (exclude.count(h) || !seen.insert(h).second) continue;
            children.push_back(std::move(child));
        }
        if (children.empty()) break;
        std::vector<float> sc = score(children);
        size_t first = cands.size();
        cands.insert(cands.end(), std::make_move_iterator(children.begin()),
                     std::make_move_iterator(children.end()));
        scores.insert(scores.end(), sc.begin(), sc.end());
        // Next parents: half the measured best, half the best predicted so far.
        std::vector<size_t> idx(cands.size());
        std::iota(idx.begin(), idx.end(), 0);
        std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
        std::vector<Schedule> next(population.begin(),
                                   population.begin() + std::min<size_t>(population.size(), o.elite / 2));
        for (size_t i = 0; i < idx.size() && (int)next.size() < std::max(2, o.elite); i++)
            next.push_back(cands[idx[i]]);
        parents = std::move(next);
        (void)first;
    }

    // The ranking's picks, then an epsilon share at random from the rest.
    std::vector<size_t> idx(cands.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    int n_random = (int)std::floor(o.epsilon * n);
    int n_model = n - n_random;
    std::vector<Schedule> out;
    size_t i = 0;
    for (; i < idx.size() && (int)out.size() < n_model; i++) out.push_back(cands[idx[i]]);
    std::vector<size_t> rest(idx.begin() + i, idx.end());
    std::shuffle(rest.begin(), rest.end(), rng);
    for (size_t k = 0; k < rest.size() && (int)out.size() < n; k++) out.push_back(cands[rest[k]]);
    return out;
}

ScoreFunction random_ranking(const std::mt19937_64 &rng) {
    std::mt19937_64 copy = rng;
    auto own = std::make_shared<std::mt19937_64>(copy() ^ 0x72616e6b696e6721ull);  // "ranking!"
    return [own](const std::vector<Schedule> &ss) {
        std::uniform_real_distribution<float> u(0.0f, 1.0f);
        std::vector<float> out(ss.size());
        for (float &x : out) x = u(*own);
        return out;
    };
}

namespace {

// Today's default: the cost model ranks the children. Until the model can rank this workload
// (untrained, or too few ok rows of it), random samples, as evolution does in its warm-up.
class GuidedSearch final : public SearchStrategy {
public:
    explicit GuidedSearch(const SearchOptions &o) : o_(o) {}
    std::string name() const override { return "guided"; }
    bool uses_model() const override { return true; }
    std::vector<Schedule> propose(const SearchRequest &r, std::mt19937_64 &rng) override {
        if (r.warm && r.model)
            return propose_evolutionary(r.space, r.population, r.model, r.n, r.exclude, o_, rng);
        return propose_random(r.space, r.n, r.exclude, rng);
    }

private:
    SearchOptions o_;
};

// The ablation of guided: the same search with the model replaced by a random ranking. It
// never calls r.model.
class EvolutionSearch final : public SearchStrategy {
public:
    explicit EvolutionSearch(const SearchOptions &o) : o_(o) {}
    std::string name() const override { return "evolution"; }
    bool uses_model() const override { return false; }
    std::vector<Schedule> propose(const SearchRequest &r, std::mt19937_64 &rng) override {
        if (r.warm)
            return propose_evolutionary(r.space, r.population, random_ranking(rng), r.n, r.exclude, o_, rng);
        return propose_random(r.space, r.n, r.exclude, rng);
    }

private:
    SearchOptions o_;
};

// The baseline: fresh samples, blind to the population and the model.
class RandomSearch final : public SearchStrategy {
public:
    std::string name() const override { return "random"; }
    bool uses_model() const override { return false; }
    std::vector<Schedule> propose(const SearchRequest &r, std::mt19937_64 &rng) override {
        return propose_random(r.space, r.n, r.exclude, rng);
    }
};

}  // namespace

const std::vector<std::string> &search_strategy_names() {
    static const std::vector<std::string> names = {"guided", "evolution", "random"};
    return names;
}

std::string search_strategy_choices(const std::string &sep, const std::string &last) {
    const auto &names = search_strategy_names();
    std::string out;
    for (size_t i = 0; i < names.size(); i++)
        out += (i == 0 ? "" : i + 1 == names.size() ? last : sep) + names[i];
    return out;
}

std::unique_ptr<SearchStrategy> make_search_strategy(const std::string &name, const SearchOptions &options) {
    if (name == "guided") return std::make_unique<GuidedSearch>(options);
    if (name == "evolution") return std::make_unique<EvolutionSearch>(options);
    if (name == "random") return std::make_unique<RandomSearch>();
    throw_usage("unknown search strategy '" + name + "' (expected " + search_strategy_choices() + ")");
}

}  // namespace htune
