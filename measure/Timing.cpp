// Timing protocol (see Timing.h).
#include "measure/Timing.h"

#include <algorithm>
#include <chrono>

#include "ops/Error.h"

namespace htune {

void to_json(nlohmann::json &j, const TimingPolicy &p) {
    j = nlohmann::json{{"warmup", p.warmup},
                       {"min_repeats", p.min_repeats},
                       {"min_seconds", p.min_seconds},
                       {"max_repeats", p.max_repeats}};
    if (p.cutoff_ms > 0) j["cutoff_ms"] = p.cutoff_ms;
}

void from_json(const nlohmann::json &j, TimingPolicy &p) {
    if (!j.is_object()) throw_usage("timing policy must be a JSON object");
    p = TimingPolicy{};
    p.warmup = j.value("warmup", p.warmup);
    p.min_repeats = j.value("min_repeats", p.min_repeats);
    p.min_seconds = j.value("min_seconds", p.min_seconds);
    p.max_repeats = j.value("max_repeats", p.max_repeats);
    p.cutoff_ms = j.value("cutoff_ms", p.cutoff_ms);
    if (p.warmup < 0 || p.min_repeats < 0 || p.min_seconds < 0 || p.max_repeats < 1 || p.cutoff_ms < 0)
        throw_usage("timing policy: counts and seconds must be >= 0 and max_repeats >= 1");
}

TimingStats summarize(std::vector<double> samples_ms) {
    TimingStats s;
    s.repeats = (int)samples_ms.size();
    if (samples_ms.empty()) return s;
    std::sort(samples_ms.begin(), samples_ms.end());
    size_t n = samples_ms.size();
    s.min_ms = samples_ms.front();
    s.max_ms = samples_ms.back();
    s.median_ms = n % 2 ? samples_ms[n / 2] : 0.5 * (samples_ms[n / 2 - 1] + samples_ms[n / 2]);
    for (double v : samples_ms) s.total_ms += v;
    if (n > 1 && s.min_ms > 0) s.spread = (s.max_ms - s.min_ms) / s.min_ms;
    return s;
}

TimingStats time_repeats(const TimingPolicy &policy, const std::function<void()> &run) {
    using clock = std::chrono::steady_clock;
    auto timed = [&] {
        auto t0 = clock::now();
        run();
        return std::chrono::duration<double>(clock::now() - t0).count();
    };
    auto too_slow = [&](double s) { return policy.cutoff_ms > 0 && s * 1e3 > policy.cutoff_ms; };
    for (int i = 0; i < policy.warmup; i++) {
        double s = timed();
        if (too_slow(s)) return summarize({s * 1e3});
    }
    std::vector<double> samples;
    double total_s = 0;
    while ((int)samples.size() < policy.max_repeats &&
           ((int)samples.size() < policy.min_repeats || total_s < policy.min_seconds)) {
        double s = timed();
        samples.push_back(s * 1e3);
        total_s += s;
        if (too_slow(s)) break;
    }
    return summarize(std::move(samples));
}

}  // namespace htune
