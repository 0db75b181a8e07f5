// `htune profile`'s measurement and report: see Profile.h.
#include "tuner/Profile.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sstream>

#include "ops/PipelineIO.h"
#include "tuner/WorkloadOptions.h"

namespace htune {

namespace {

// The number after `key` in `l` ("samples: 23" -> 23), or -1 when `key` is absent.
double number_after(const std::string &l, const std::string &key) {
    size_t at = l.find(key);
    if (at == std::string::npos) return -1;
    return std::strtod(l.c_str() + at + key.size(), nullptr);
}

}  // namespace

void ProfileAccumulator::feed(const std::string &text) {
    pending_ += text;
    size_t nl;
    while ((nl = pending_.find('\n')) != std::string::npos) {
        line(pending_.substr(0, nl));
        pending_.erase(0, nl + 1);
    }
}

void ProfileAccumulator::line(const std::string &l) {
    if (l.empty()) return;
    if (l[0] != ' ') {  // a report starts with the pipeline's name
        pipeline_ = l;
        return;
    }
    if (l.rfind(" total time:", 0) == 0) {
        total_ms_ += std::max(0.0, number_after(l, "total time:"));
        samples_ += (int)std::max(0.0, number_after(l, "samples:"));
        runs_ += (int)std::max(0.0, number_after(l, "runs:"));
        return;
    }
    if (l.rfind("  ", 0) != 0) return;  // " heap allocations", " average threads used"
    size_t colon = l.find(':');
    if (colon == std::string::npos) return;
    std::string name = l.substr(2, colon - 2);
    name.erase(0, name.find_first_not_of(' '));
    if (name.empty()) return;
    const double ms = std::strtod(l.c_str() + colon + 1, nullptr);
    const double threads = number_after(l, "threads:");
    Sum &s = funcs_[name];
    s.ms += ms;
    s.thread_ms += ms * std::max(0.0, threads);
}

ProfileReport ProfileAccumulator::report() const {
    ProfileAccumulator all = *this;
    if (!all.pending_.empty()) all.line(all.pending_);
    ProfileReport r;
    r.pipeline = all.pipeline_;
    r.runs = all.runs_;
    r.samples = all.samples_;
    r.sampled_ms = all.total_ms_;
    double sum = 0;
    for (const auto &[name, s] : all.funcs_) sum += s.ms;
    for (const auto &[name, s] : all.funcs_) {
        FuncProfile f;
        f.name = name;
        f.ms = s.ms;
        f.share = sum > 0 ? s.ms / sum : 0;
        f.threads = s.ms > 0 ? s.thread_ms / s.ms : 0;
        r.funcs.push_back(f);
    }
    std::stable_sort(r.funcs.begin(), r.funcs.end(),
                     [](const FuncProfile &a, const FuncProfile &b) { return a.ms > b.ms; });
    return r;
}

namespace {

// Halide's print handler takes no state: the one profile running at a time appends here.
std::mutex g_print_mutex;
ProfileAccumulator *g_accumulator = nullptr;

void capture_print(Halide::JITUserContext *, const char *text) {
    std::lock_guard<std::mutex> lock(g_print_mutex);
    if (g_accumulator) g_accumulator->feed(text);
}

}  // namespace

ProfileReport profile_pipeline(Halide::Pipeline p, const std::vector<Halide::Buffer<>> &inputs,
                               std::vector<Halide::Buffer<>> &outputs, const Halide::Target &target,
                               double seconds, int min_runs) {
    const Halide::Target t = target.with_feature(Halide::Target::Profile);
    p.jit_handlers().custom_print = capture_print;
    p.compile_jit(t);
    bind_inputs(p, inputs);
    std::vector<Halide::Buffer<>> outs = outputs;
    Halide::Realization realization(outs);
    p.realize(realization, t);  // warm-up (the thread pool, first touch), not counted

    ProfileAccumulator acc;
    {
        std::lock_guard<std::mutex> lock(g_print_mutex);
        g_accumulator = &acc;
    }
    struct Detach {
        ~Detach() {
            std::lock_guard<std::mutex> lock(g_print_mutex);
            g_accumulator = nullptr;
        }
    } detach;
    const auto t0 = std::chrono::steady_clock::now();
    double elapsed = 0;
    for (int run = 0; run < min_runs || elapsed < seconds; run++) {
        p.realize(realization, t);
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    std::lock_guard<std::mutex> lock(g_print_mutex);
    ProfileReport r = acc.report();
    r.wall_s = elapsed;
    return r;
}

void rename_funcs(ProfileReport &r, const std::map<std::string, std::string> &names) {
    std::vector<FuncProfile> merged;
    for (FuncProfile f : r.funcs) {
        auto it = names.find(f.name);
        if (it != names.end()) f.name = it->second;
        auto same = std::find_if(merged.begin(), merged.end(),
                                 [&](const FuncProfile &m) { return m.name == f.name; });
        if (same == merged.end()) {
            merged.push_back(f);
            continue;
        }
        const double ms = same->ms + f.ms;
        same->threads = ms > 0 ? (same->threads * same->ms + f.threads * f.ms) / ms : 0;
        same->ms = ms;
        same->share += f.share;
    }
    std::stable_sort(merged.begin(), merged.end(),
                     [](const FuncProfile &a, const FuncProfile &b) { return a.ms > b.ms; });
    r.funcs = merged;
}

std::string format_profile(const ProfileReport &r) {
    std::ostringstream os;
    os << "workload: " << r.workload << "\nschedule: " << r.schedule << "\n";
    os << "profiled: " << r.runs << " runs in " << fixed_text(r.wall_s, 2) << " s, " << r.samples
       << " samples (" << fixed_text(r.ms_per_run(), 3)
       << " ms per run as sampled, with the profiler's overhead)\n";
    if (r.samples == 0)
        os << "no samples: the runs were too short for Halide's ~1 ms sampler (give --seconds)\n";
    os << "  func                              share   ms/run  threads\n";
    for (const FuncProfile &f : r.funcs) {
        std::string name = f.name.size() > 32 ? f.name.substr(0, 29) + "..." : f.name;
        os << "  " << name << std::string(34 - name.size(), ' ');
        std::string share = fixed_text(100 * f.share, 1) + "%";
        os << std::string(share.size() < 6 ? 6 - share.size() : 0, ' ') << share;
        std::string ms = fixed_text(r.runs ? f.ms / r.runs : 0, 3);
        os << std::string(ms.size() < 9 ? 9 - ms.size() : 1, ' ') << ms;
        std::string th = f.ms > 0 ? fixed_text(f.threads, 2) : "-";
        os << std::string(th.size() < 9 ? 9 - th.size() : 1, ' ') << th << "\n";
    }
    return os.str();
}

nlohmann::json to_json(const ProfileReport &r) {
    nlohmann::json j;
    j["workload"] = r.workload;
    j["schedule"] = r.schedule;
    j["pipeline"] = r.pipeline;
    j["runs"] = r.runs;
    j["samples"] = r.samples;
    j["sampled_ms"] = r.sampled_ms;
    j["ms_per_run"] = r.ms_per_run();
    j["wall_s"] = r.wall_s;
    j["funcs"] = nlohmann::json::array();
    for (const FuncProfile &f : r.funcs)
        j["funcs"].push_back({{"name", f.name},
                              {"ms", f.ms},
                              {"ms_per_run", r.runs ? f.ms / r.runs : 0},
                              {"share", f.share},
                              {"threads", f.threads}});
    return j;
}

}  // namespace htune
