// SearchBench.h: the figures of the search benchmark and its JSON report (the runs are in
// SearchBenchRuns.cpp, the plot in SearchBenchSvg.cpp).
#include "tuner/bench/SearchBench.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace htune {

double final_best(const std::vector<double> &curve) {
    for (auto it = curve.rbegin(); it != curve.rend(); ++it)
        if (*it > 0) return *it;
    return 0;
}

double trials_to_reach(const std::vector<double> &curve, double target_ms) {
    for (size_t i = 1; i < curve.size(); i++)
        if (curve[i] > 0 && curve[i] <= target_ms) return (double)i;
    return kNotReached;
}

double median_of(std::vector<double> values) {
    if (values.empty()) return kNotReached;
    std::sort(values.begin(), values.end());  // kNotReached (+inf) sorts last
    size_t n = values.size();
    if (n % 2 == 1) return values[n / 2];
    double a = values[n / 2 - 1], b = values[n / 2];
    if (std::isinf(a) || std::isinf(b)) return kNotReached;
    return (a + b) / 2;
}

std::vector<double> normalized_curve(const std::vector<double> &curve, double best_known, size_t length) {
    std::vector<double> out;
    for (double ms : curve) out.push_back(ms > 0 && best_known > 0 ? best_known / ms : 0.0);
    double last = out.empty() ? 0.0 : out.back();
    while (out.size() < length) out.push_back(last);
    return out;
}

NoiseStats measurement_noise(const std::vector<const BenchRun *> &runs) {
    std::map<std::string, std::pair<double, double>> range;  // hash -> (fastest, slowest)
    std::map<std::string, int> count;
    for (const BenchRun *r : runs)
        for (const auto &[hash, ms] : r->times) {
            if (!(ms > 0)) continue;
            auto it = range.find(hash);
            if (it == range.end())
                range[hash] = {ms, ms};
            else
                it->second = {std::min(it->second.first, ms), std::max(it->second.second, ms)};
            count[hash]++;
        }
    std::vector<double> spreads;
    for (const auto &[hash, r] : range)
        if (count[hash] >= 2) spreads.push_back(r.second / r.first - 1);
    NoiseStats n;
    n.schedules = (int)spreads.size();
    if (spreads.empty()) return n;
    std::sort(spreads.begin(), spreads.end());
    n.median_spread = median_of(spreads);
    n.p90_spread = spreads[std::min(spreads.size() - 1, (size_t)std::ceil(0.9 * (double)spreads.size()) - 1)];
    return n;
}

namespace {

size_t index_of(const std::vector<std::string> &v, const std::string &s) {
    return (size_t)(std::find(v.begin(), v.end(), s) - v.begin());
}

nlohmann::json number_or_null(double x) {
    return std::isfinite(x) && x > 0 ? nlohmann::json(x) : nlohmann::json(nullptr);
}

// Trial counts: null for kNotReached.
nlohmann::json trials_json(double x) {
    return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
}

nlohmann::json trials_list(const std::vector<double> &v) {
    nlohmann::json out = nlohmann::json::array();
    for (double x : v) out.push_back(trials_json(x));
    return out;
}

}  // namespace

BenchSummary summarize(const std::vector<BenchRun> &runs, const std::vector<std::string> &strategies) {
    BenchSummary s;
    s.strategies = strategies;
    std::vector<std::string> order;
    std::map<std::string, std::vector<const BenchRun *>> by_workload;
    for (const BenchRun &r : runs) {
        if (!by_workload.count(r.workload)) order.push_back(r.workload);
        by_workload[r.workload].push_back(&r);
    }
    size_t length = 0;
    for (const BenchRun &r : runs)
        if (r.ok) length = std::max(length, r.curve.size());
    std::vector<std::vector<std::vector<double>>> normalized(strategies.size());

    for (const std::string &name : order) {
        const auto &rs = by_workload[name];
        WorkloadStats w;
        w.workload = name;
        w.noise = measurement_noise(rs);
        for (const BenchRun *r : rs) {
            double f = r->ok ? final_best(r->curve) : 0;
            if (f > 0 && (w.best_known_ms == 0 || f < w.best_known_ms)) w.best_known_ms = f;
        }
        for (const std::string &strategy : strategies) {
            StrategyStats st;
            st.strategy = strategy;
            for (const BenchRun *r : rs) {
                if (r->strategy != strategy) continue;
                st.runs++;
                if (!r->ok || final_best(r->curve) <= 0) {
                    st.failed++;
                    continue;
                }
                st.trials_to_within.push_back(trials_to_reach(r->curve, w.best_known_ms * kWithinBestKnown));
                st.final_ms.push_back(final_best(r->curve));
                normalized[index_of(strategies, strategy)].push_back(
                    normalized_curve(r->curve, w.best_known_ms, length));
            }
            st.median_trials_to_within = median_of(st.trials_to_within);
            if (!st.final_ms.empty()) st.median_final_ms = median_of(st.final_ms);
            w.strategies.push_back(std::move(st));
        }
        for (size_t i = 0; i + 1 < strategies.size(); i++) {
            ReachStats p;
            p.a = strategies[i];
            p.b = strategies[i + 1];
            const StrategyStats &b = w.strategies[i + 1];
            std::vector<double> b_trials;
            for (const BenchRun *r : rs)
                if (r->strategy == p.b && r->ok && final_best(r->curve) > 0)
                    b_trials.push_back((double)r->curve.size() - 1);
            bool a_ran = !w.strategies[i].final_ms.empty();
            if (a_ran && !b.final_ms.empty()) {
                p.defined = true;
                p.target_ms = b.median_final_ms;
                p.b_trials = median_of(b_trials);
                for (const BenchRun *r : rs)
                    if (r->strategy == p.a && r->ok && final_best(r->curve) > 0)
                        p.trials.push_back(trials_to_reach(r->curve, p.target_ms));
                p.median_trials = median_of(p.trials);
                if (std::isfinite(p.median_trials) && p.b_trials > 0) p.ratio = p.median_trials / p.b_trials;
            }
            w.reach.push_back(std::move(p));
        }
        s.workloads.push_back(std::move(w));
    }

    for (size_t i = 0; i + 1 < strategies.size(); i++) {
        Headline h;
        h.a = strategies[i];
        h.b = strategies[i + 1];
        std::vector<double> ratios;
        for (const WorkloadStats &w : s.workloads) {
            const ReachStats &p = w.reach[i];
            if (!p.defined) continue;
            h.workloads++;
            if (std::isfinite(p.ratio)) h.reached++;
            ratios.push_back(p.ratio);
        }
        h.median_ratio = median_of(ratios);
        s.headlines.push_back(h);
    }

    for (const auto &curves : normalized) {
        std::vector<double> med;
        for (size_t t = 0; t < length && !curves.empty(); t++) {
            std::vector<double> at;
            for (const auto &c : curves) at.push_back(c[t]);
            med.push_back(median_of(at));
        }
        s.median_curves.push_back(std::move(med));
    }
    return s;
}

nlohmann::json search_bench_json(const std::vector<BenchRun> &runs, const BenchSummary &s) {
    nlohmann::json jr = nlohmann::json::array();
    for (const BenchRun &r : runs) {
        nlohmann::json curve = nlohmann::json::array();
        for (double ms : r.curve) curve.push_back(number_or_null(ms));
        jr.push_back({{"workload", r.workload},
                      {"strategy", r.strategy},
                      {"seed", r.seed},
                      {"ok", r.ok},
                      {"reused", r.reused},
                      {"error", r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error)},
                      {"exit_code", r.exit_code},
                      {"trials", r.curve.empty() ? 0 : (int)r.curve.size() - 1},
                      {"final_ms", number_or_null(final_best(r.curve))},
                      {"confirmed_best_ms", number_or_null(r.best_ms)},
                      {"heuristic_ms", number_or_null(r.heuristic_ms)},
                      {"elapsed_s", r.elapsed_s},
                      {"stop", r.stop},
                      {"db", r.db},
                      {"summary", r.summary},
                      {"log", r.log},
                      {"curve_ms", curve}});
    }
    nlohmann::json jw = nlohmann::json::array();
    for (const WorkloadStats &w : s.workloads) {
        nlohmann::json st = nlohmann::json::array();
        for (const StrategyStats &x : w.strategies) {
            nlohmann::json finals = nlohmann::json::array();
            for (double ms : x.final_ms) finals.push_back(ms);
            st.push_back(
                {{"strategy", x.strategy},
                 {"runs", x.runs},
                 {"failed", x.failed},
                 {"trials_to_within_5pct", trials_list(x.trials_to_within)},
                 {"median_trials_to_within_5pct",
                  x.final_ms.empty() ? nlohmann::json(nullptr) : trials_json(x.median_trials_to_within)},
                 {"final_ms", finals},
                 {"median_final_ms", number_or_null(x.median_final_ms)}});
        }
        nlohmann::json reach = nlohmann::json::array();
        for (const ReachStats &p : w.reach)
            reach.push_back(
                {{"a", p.a},
                 {"b", p.b},
                 {"defined", p.defined},
                 {"target_ms", number_or_null(p.target_ms)},
                 {"b_trials", number_or_null(p.b_trials)},
                 {"trials", trials_list(p.trials)},
                 {"median_trials", p.defined ? trials_json(p.median_trials) : nlohmann::json(nullptr)},
                 {"ratio", p.defined ? trials_json(p.ratio) : nlohmann::json(nullptr)}});
        jw.push_back({{"workload", w.workload},
                      {"best_known_ms", number_or_null(w.best_known_ms)},
                      {"noise",
                       {{"schedules", w.noise.schedules},
                        {"median_spread", w.noise.median_spread},
                        {"p90_spread", w.noise.p90_spread}}},
                      {"strategies", st},
                      {"reach", reach}});
    }
    nlohmann::json jh = nlohmann::json::array();
    for (const Headline &h : s.headlines)
        jh.push_back(
            {{"a", h.a},
             {"b", h.b},
             {"workloads", h.workloads},
             {"reached", h.reached},
             {"median_ratio", h.workloads > 0 ? trials_json(h.median_ratio) : nlohmann::json(nullptr)}});
    nlohmann::json curves = nlohmann::json::object();
    for (size_t i = 0; i < s.strategies.size() && i < s.median_curves.size(); i++)
        curves[s.strategies[i]] = s.median_curves[i];
    return {{"format", "htune-bench-search/1"},
            {"strategies", s.strategies},
            {"within", kWithinBestKnown},
            {"runs", jr},
            {"workloads", jw},
            {"headlines", jh},
            {"median_curves", curves}};
}

}  // namespace htune
