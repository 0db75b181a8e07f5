// SeedProvider.h: each workload's seeds and the seed-failure policy.
#include "tuner/SeedProvider.h"

#include <algorithm>
#include <map>
#include <utility>

#include "db/Version.h"

namespace htune {

namespace {

// Whether a workers' memory limit of `now` MiB allows more than `then` did (0 = none; a
// `then` of -1, not recorded, counts as the default).
bool more_memory(double now, double then) {
    if (then < 0) then = kDefaultAddressSpaceBytes >> 20;
    return then > 0 && (now == 0 || now > then);
}

}  // namespace

const SeedFailure *known_seed_failure(const std::vector<SeedFailure> &failures,
                                      const std::string &autoscheduler, const TuneOptions &o) {
    if (o.retry_seed_failures) return nullptr;
    for (const SeedFailure &f : failures) {
        if (f.autoscheduler != autoscheduler || f.halide_version != halide_version()) continue;
        if (f.status == Status::timeout) {
            if (f.limit_s < o.measure.compile_timeout_s) continue;
        } else if (more_memory(o.memory_limit_mb(), f.memory_limit_mb)) {
            continue;
        }
        return &f;
    }
    return nullptr;
}

SeedProvider::SeedProvider(const TuneOptions &o, Runner &runner, Database &db, NoteFunction note)
    : o_(o), runner_(runner), db_(db), note_(std::move(note)) {}

Seeds SeedProvider::seeds(const Workload &w, const ScheduleSpace &space,
                          const std::set<std::string> &measured) {
    Seeds out;
    std::vector<Schedule> params = parameter_seeds(w, space, measured);
    out.queue = autoscheduler_seeds(w, space, measured, out.imported);
    out.pacers = out.queue;
    out.pacers.insert(out.pacers.end(), params.begin(), params.end());
    if (o_.sketch_seeds) {
        std::vector<Schedule> sketches = sketch_seeds(w, space, measured);
        out.queue.insert(out.queue.end(), sketches.begin(), sketches.end());
    }
    out.queue.insert(out.queue.end(), params.begin(), params.end());
    return out;
}

// The best schedules of the same op at other parameters, where they fit: seeds_per_workload of
// each other workload of the op, fastest first per workload, workloads in key order.
std::vector<Schedule> SeedProvider::parameter_seeds(const Workload &w, const ScheduleSpace &space,
                                                    const std::set<std::string> &measured) {
    std::vector<Schedule> out;
    if (o_.seeds_per_workload <= 0) return out;
    const std::string key = w.key();
    RecordQuery q;
    q.ops = {w.op()};
    q.device_key = o_.device_key;
    q.ok_only = true;
    std::map<std::string, std::vector<std::pair<double, nlohmann::json>>> by_key;
    db_.scan(q, [&](const Record &rec) {
        if (rec.workload_key == key) return;
        auto &v = by_key[rec.workload_key];
        v.emplace_back(rec.result.min_ms, rec.schedule);
        std::sort(v.begin(), v.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
        if ((int)v.size() > o_.seeds_per_workload) v.pop_back();
    });
    std::set<std::string> seen;
    for (auto &[other, v] : by_key)
        for (auto &[ms, js] : v) {
            try {
                Schedule s = js.get<Schedule>();
                std::string h = schedule_hash(s);
                if (measured.count(h) || !seen.insert(h).second) continue;
                if (space.validate(s).empty()) out.push_back(std::move(s));
            } catch (const std::exception &) {
            }
        }
    return out;
}

// The space's sketches (register-tiled reductions and the other families), unmeasured ones.
std::vector<Schedule> SeedProvider::sketch_seeds(const Workload &w, const ScheduleSpace &space,
                                                 const std::set<std::string> &measured) {
    std::vector<Schedule> sketches, out;
    try {
        sketches = space.sketches();
    } catch (const std::exception &e) {
        note(w.canonical() + ": no sketches: " + e.what());
        return out;
    }
    if (sketches.empty()) return out;
    for (auto &s : sketches)
        if (!measured.count(schedule_hash(s))) out.push_back(s);
    note(w.canonical() + ": seeded with " + std::to_string(out.size()) + " sketch(es) of " +
         std::to_string(sketches.size()));
    return out;
}

// The autoschedulers' schedules, unmeasured ones; every valid import goes to `imported`. A
// plugin that fails (they do) is a note and a remembered SeedFailure; the run goes on.
std::vector<Schedule> SeedProvider::autoscheduler_seeds(const Workload &w, const ScheduleSpace &space,
                                                        const std::set<std::string> &measured,
                                                        std::vector<Schedule> &imported) {
    std::vector<Schedule> first;
    std::vector<Candidate> seeders = o_.autoscheduler_seeds;
    if (o_.as_written_seed && w.has_own_schedule()) seeders.push_back(Candidate::as_written());
    if (seeders.empty()) return first;
    const std::string key = w.key(), name = w.canonical();
    std::vector<SeedFailure> failures = db_.seed_failures(key, o_.device_key);
    std::vector<Candidate> ask;
    for (const Candidate &c : seeders) {
        if (const SeedFailure *f = known_seed_failure(failures, c.name, o_)) {
            note(name + ": " + c.name + " gave no seed in an earlier run (" + to_string(f->status) + ": " +
                 f->error + "); not asked again (--retry-seeds asks)");
            continue;
        }
        ask.push_back(c);
    }
    if (ask.empty()) return first;
    std::vector<ImportedCandidate> got;
    try {
        got = runner_.import_autoschedules(w, ask);
    } catch (const std::exception &e) {
        note(name + ": no autoscheduler seeds: " + e.what());
        return first;
    }
    const double memory_limit_mb = o_.memory_limit_mb();
    for (size_t i = 0; i < got.size() && i < ask.size(); i++) {
        const std::string &plugin = ask[i].name;
        const ImportedCandidate &im = got[i];
        bool was_failing = std::any_of(failures.begin(), failures.end(),
                                       [&](const SeedFailure &f) { return f.autoscheduler == plugin; });
        if (im.status != Status::ok) {
            std::string error = im.error.substr(0, im.error.find('\n'));
            // An autoscheduler that runs out of address space mostly aborts (an uncaught
            // bad_alloc: Adams2019 needs about 7 GB on local_laplacian and nl_means at bench size).
            const bool oom = error.find("bad_alloc") != std::string::npos ||
                             error.find("out of memory") != std::string::npos ||
                             (im.status == Status::crash && error.find("signal 6") != std::string::npos);
            note(name + ": " + plugin + " gave no seed (" + to_string(im.status) + ": " + error + ")" +
                 (oom && memory_limit_mb > 0 ? "; likely out of memory: the workers may use " +
                                                   std::to_string((long)memory_limit_mb) +
                                                   " MiB, a larger --memory-limit-mb asks it again"
                                             : ""));
            SeedFailure f;
            f.autoscheduler = plugin;
            f.status = im.status;
            f.error = error;
            f.limit_s = o_.measure.compile_timeout_s;
            f.memory_limit_mb = memory_limit_mb;
            f.halide_version = halide_version();
            db_.put_seed_failure(key, o_.device_key, f);
            continue;
        }
        if (was_failing) db_.clear_seed_failure(key, o_.device_key, plugin);
        std::string why = space.validate(im.schedule);
        if (!why.empty()) {
            note(name + ": " + plugin + "'s schedule is not valid here: " + why);
            continue;
        }
        std::string h = schedule_hash(im.schedule);
        imported.push_back(im.schedule);
        note(name + ": seeded with " + plugin + "'s schedule " + h +
             (im.changes.empty() ? std::string(" (exact)")
                                 : " (" + std::to_string(im.changes.size()) + " adaptation(s), e.g. " +
                                       im.changes.front() + ")") +
             (measured.count(h) ? ", already measured" : ""));
        if (!measured.count(h)) first.push_back(im.schedule);
    }
    return first;
}

}  // namespace htune
