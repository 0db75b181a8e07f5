// Tuner.h: the tuning loop.
#include "tuner/Tuner.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

#include "db/Record.h"
#include "db/Version.h"
#include "ops/Error.h"
#include "ops/Hash.h"

namespace htune {

namespace {

uint64_t splitmix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

struct Row {
    Schedule schedule;
    std::string hash;
    double ms = 0;
    std::vector<float> features;  // empty when no model is used
};

struct Task {
    WorkloadSpec spec;
    std::unique_ptr<Workload> w;
    std::unique_ptr<ScheduleSpace> space;
    std::unique_ptr<SearchStrategy> search;  // this workload's (TuneOptions::search_strategy)
    FeaturizeFunction featurize;
    std::string name, key;
    std::set<std::string> measured;
    std::vector<Row> rows;  // ok records, commit order
    int trials = 0, failures = 0, run_trials = 0, rounds = 0;
    double best_ms = 0,
           ref_ms = 0;  // ref_ms: best at the last significant improvement
    std::string best_hash;
    int since_improvement = 0;
    Schedule heuristic;
    std::string heuristic_hash;
    bool heuristic_measured = false;
    double heuristic_ms = 0;
    std::vector<Schedule> seeds;  // autoschedulers', sketches, other workloads' of the same op (unmeasured)
    size_t autoscheduler_seeded = 0;  // the first this many seeds are the autoschedulers' schedules
    std::vector<Schedule> imported;   // the autoschedulers' valid imports of this run (confirmed too)
    std::vector<double> curve;        // best after each trial of this run (curve[0] = at start)
    double measure_s = 0;
    bool confirmed = false;
    bool active = true;
    std::string stop_reason, error;
    std::map<std::string, int> errors;  // distinct failures ("status: first line") -> count
};

double now_steady() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

class Loop {
public:
    using SearchFactory = std::function<std::unique_ptr<SearchStrategy>()>;

    Loop(const std::vector<WorkloadSpec> &specs, const TuneOptions &o, TuneEnv &env,
         SearchFactory make_search)
        : o_(o), env_(env), make_search_(std::move(make_search)) {
        if (!env_.clock) env_.clock = now_steady;
        if (!env_.stop_requested) env_.stop_requested = [] { return false; };
        use_model_ = env_.model != nullptr && make_search_()->uses_model();
        for (const auto &spec : specs) {
            tasks_.push_back(std::make_unique<Task>());
            tasks_.back()->spec = spec;
        }
    }

    TuneResult run() {
        start_ = env_.clock();
        for (auto &t : tasks_) setup(*t);
        if (use_model_) update_model();
        uint64_t total = 0;
        for (auto &t : tasks_) total += t->trials;
        std::mt19937_64 sched_rng(splitmix(o_.seed ^ splitmix(total + 0x5eed)));
        TuneResult result;
        while (true) {
            if (env_.stop_requested()) {
                result.stopped = true;
                for (auto &t : tasks_)
                    if (t->active) stop(*t, "stopped");
                break;
            }
            if (o_.time_budget_s > 0 && batches_ > 0) {
                double elapsed = env_.clock() - start_;
                double per_batch = batch_seconds_ / batches_;
                if (elapsed + per_batch > o_.time_budget_s) {
                    for (auto &t : tasks_)
                        if (t->active) stop(*t, "time budget");
                    break;
                }
            }
            std::vector<TaskStats> stats;
            for (auto &t : tasks_) stats.push_back(stats_of(*t));
            int i = choose_task(stats, o_.scheduler, sched_rng);
            if (i < 0) break;
            round(*tasks_[i], i);
        }
        if (!result.stopped && o_.confirm_top > 0)
            for (auto &t : tasks_)
                if (t->error.empty() && !env_.stop_requested()) confirm(*t);
        if (env_.stop_requested()) result.stopped = true;  // also when it came during confirmation
        if (env_.progress) env_.progress->finish();
        for (auto &t : tasks_) result.workloads.push_back(outcome(*t));
        result.elapsed_s = env_.clock() - start_;
        return result;
    }

private:
    void note(const std::string &s) {
        if (env_.progress) env_.progress->note(s);
    }

    void stop(Task &t, const std::string &why) {
        t.active = false;
        if (t.stop_reason.empty()) t.stop_reason = why;
    }

    void fail(Task &t, const std::string &what) {
        t.error = what;
        t.active = false;
        t.stop_reason = "error";
        note("htune: error: " + (t.name.empty() ? t.spec.op : t.name) + ": " + what + " (the run goes on)");
    }

    TaskStats stats_of(const Task &t) const {
        TaskStats s;
        s.active = t.active;
        s.rounds = t.rounds;
        s.best_ms = t.best_ms;
        size_t window = (size_t)std::max(1, 2 * o_.batch_size);
        s.best_ms_before =
            t.curve.empty() ? 0 : t.curve[t.curve.size() > window ? t.curve.size() - 1 - window : 0];
        return s;
    }

    void featurize_rows(Task &t, std::vector<Row *> rows) {
        if (!use_model_ || rows.empty()) return;
        std::vector<Schedule> ss;
        for (Row *r : rows) ss.push_back(r->schedule);
        FeatureMatrix m = t.featurize(ss);
        if (schema_.columns.empty()) schema_ = m.schema;
        for (size_t i = 0; i < rows.size(); i++) rows[i]->features.assign(m.row(i), m.row(i) + m.cols());
    }

    void add_result(Task &t, const Schedule &s, const std::string &hash, const MeasureResult &r) {
        t.measured.insert(hash);
        t.trials++;
        if (hash == t.heuristic_hash) {
            t.heuristic_measured = true;
            t.heuristic_ms = r.status == Status::ok ? r.min_ms : 0;
        }
        if (r.status != Status::ok || !(r.min_ms > 0)) {
            t.failures++;
            t.since_improvement++;
            t.errors[std::string(to_string(r.status)) + ": " +
                     r.error.substr(0, std::min<size_t>(r.error.find('\n'), 200))]++;
            return;
        }
        t.rows.push_back(Row{s, hash, r.min_ms, {}});
        if (t.best_ms == 0 || r.min_ms < t.best_ms) {
            t.best_ms = r.min_ms;
            t.best_hash = hash;
        }
        if (t.ref_ms == 0 || r.min_ms < t.ref_ms * (1 - o_.min_improvement)) {
            t.ref_ms = r.min_ms;
            t.since_improvement = 0;
        } else {
            t.since_improvement++;
        }
    }

    void check_budgets(Task &t) {
        if (!t.active) return;
        if (no_progress(t)) return;
        if (o_.trials > 0 && t.trials >= o_.trials)
            stop(t, "trials");
        else if (o_.early_stop > 0 && t.since_improvement >= o_.early_stop && t.trials > 0)
            stop(t, "early stop");
    }

    // A workload none of whose candidates runs: its heuristic failed and a whole batch failed
    // with it, or kNoProgressBatches batches failed. Trials spent on it are wasted: it stops,
    // and its distinct errors are printed once.
    static constexpr int kNoProgressBatches = 3;
    bool no_progress(Task &t) {
        if (!t.rows.empty()) return false;
        const bool heuristic_failed = t.heuristic_measured && !(t.heuristic_ms > 0);
        bool heuristic_and_batch =
            heuristic_failed && t.trials >= std::min(o_.batch_size, std::max(1, o_.trials));
        if (!heuristic_and_batch && t.trials < kNoProgressBatches * o_.batch_size) return false;
        std::vector<std::pair<int, std::string>> distinct;
        for (const auto &kv : t.errors) distinct.emplace_back(kv.second, kv.first);
        std::sort(distinct.begin(), distinct.end(),
                  [](const auto &a, const auto &b) { return a.first > b.first; });
        std::string what = "no candidate ran ok in " + std::to_string(t.trials) + " trial(s)" +
                           (heuristic_failed ? ", the heuristic schedule included" : "") + "; " +
                           std::to_string(distinct.size()) + " distinct error(s):";
        for (const auto &d : distinct) what += "\n    " + std::to_string(d.first) + "x " + d.second;
        t.error = what;
        t.active = false;
        t.stop_reason = "no progress";
        note("htune: error: " + t.name + ": " + what +
             "\n  (stopped: no more trials are spent on it; the run goes on)");
        return true;
    }

    void setup(Task &t) {
        try {
            t.w = std::make_unique<Workload>(make_workload(t.spec));
            t.name = t.w->canonical();
            t.key = t.w->key();
            t.space = std::make_unique<ScheduleSpace>(*t.w, env_.target);
            t.heuristic = t.space->heuristic();
            t.heuristic_hash = schedule_hash(t.heuristic);
            t.search = make_search_();
            if (use_model_) t.featurize = env_.featurizer(*t.w, *t.space);
        } catch (const std::exception &e) {
            fail(t, e.what());
            return;
        }
        // What the database already holds: resume.
        RecordQuery q;
        q.workload_key = t.key;
        q.device_key = o_.device_key;
        size_t first_new = t.rows.size();
        env_.db->scan(q, [&](const Record &rec) {
            Schedule s;
            bool parsed = true;
            try {
                s = rec.schedule.get<Schedule>();
            } catch (const std::exception &) {
                parsed = false;  // another schedule schema: counted, not learned from
            }
            if (parsed) {
                add_result(t, s, rec.schedule_hash, rec.result);
            } else {
                t.measured.insert(rec.schedule_hash);
                t.trials++;
                if (rec.result.status != Status::ok) t.failures++;
            }
        });
        std::vector<Row *> loaded;
        for (size_t i = first_new; i < t.rows.size(); i++) loaded.push_back(&t.rows[i]);
        try {
            featurize_rows(t, loaded);
        } catch (const std::exception &e) {
            fail(t, std::string("featurizing stored records: ") + e.what());
            return;
        }
        t.curve.push_back(t.best_ms);
        // Seeds, for every strategy (an ablation switches them off itself): the best schedules
        // of the same op at other parameters, where they fit.
        if (o_.seeds_per_workload > 0) {
            RecordQuery sq;
            sq.ops = {t.spec.op};
            sq.device_key = o_.device_key;
            sq.ok_only = true;
            std::map<std::string, std::vector<std::pair<double, nlohmann::json>>> by_key;
            env_.db->scan(sq, [&](const Record &rec) {
                if (rec.workload_key == t.key) return;
                auto &v = by_key[rec.workload_key];
                v.emplace_back(rec.result.min_ms, rec.schedule);
                std::sort(v.begin(), v.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
                if ((int)v.size() > o_.seeds_per_workload) v.pop_back();
            });
            std::set<std::string> seen;
            for (auto &[key, v] : by_key)
                for (auto &[ms, js] : v) {
                    try {
                        Schedule s = js.get<Schedule>();
                        std::string h = schedule_hash(s);
                        if (t.measured.count(h) || !seen.insert(h).second) continue;
                        if (t.space->validate(s).empty()) t.seeds.push_back(std::move(s));
                    } catch (const std::exception &) {
                    }
                }
        }
        check_budgets(t);
        if (t.active) import_seeds(t);
        if (t.active && o_.sketch_seeds) sketch_seeds(t);
    }

    // The space's sketches of t (register-tiled reductions), right after the autoschedulers'
    // schedules among its seeds.
    void sketch_seeds(Task &t) {
        std::vector<Schedule> sketches;
        try {
            sketches = t.space->sketches();
        } catch (const std::exception &e) {
            note(t.name + ": no sketches: " + e.what());
            return;
        }
        if (sketches.empty()) return;
        size_t at = std::min(t.seeds.size(), t.autoscheduler_seeded);  // import_seeds put those first
        int added = 0;
        for (auto &s : sketches)
            if (!t.measured.count(schedule_hash(s))) {
                t.seeds.insert(t.seeds.begin() + at + added, s);
                added++;
            }
        note(t.name + ": seeded with " + std::to_string(added) + " sketch(es) of " +
             std::to_string(sketches.size()));
    }

    // Whether a workers' memory limit of `now` MiB allows more than `then` did (0 = none; a
    // `then` of -1, not recorded, counts as the default).
    static bool more_memory(double now, double then) {
        if (then < 0) then = kDefaultAddressSpaceBytes >> 20;
        return then > 0 && (now == 0 || now > then);
    }

    // An autoscheduler that failed on t before (see TuneOptions::retry_seed_failures), or
    // nullptr when it is to be asked.
    static const SeedFailure *known_failure(const std::vector<SeedFailure> &failures, const std::string &name,
                                            const TuneOptions &o) {
        if (o.retry_seed_failures) return nullptr;
        for (const SeedFailure &f : failures) {
            if (f.autoscheduler != name || f.halide_version != halide_version()) continue;
            if (f.status == to_string(Status::timeout)) {
                if (f.limit_s < o.measure.compile_timeout_s) continue;
            } else if (more_memory(o.memory_limit_mb(), f.memory_limit_mb)) {
                continue;
            }
            return &f;
        }
        return nullptr;
    }

    // The autoschedulers' schedules of t, first in line among its seeds. A plugin that fails
    // (they do) is a note; the run goes on.
    void import_seeds(Task &t) {
        if (o_.autoscheduler_seeds.empty()) return;
        std::vector<SeedFailure> failures = env_.db->seed_failures(t.key, o_.device_key);
        std::vector<Candidate> ask;
        for (const Candidate &c : o_.autoscheduler_seeds) {
            if (const SeedFailure *f = known_failure(failures, c.name, o_)) {
                note(t.name + ": " + c.name + " gave no seed in an earlier run (" + f->status + ": " +
                     f->error + "); not asked again (--retry-seeds asks)");
                continue;
            }
            ask.push_back(c);
        }
        if (ask.empty()) return;
        std::vector<ImportedCandidate> got;
        try {
            got = env_.runner->import_autoschedules(*t.w, ask);
        } catch (const std::exception &e) {
            note(t.name + ": no autoscheduler seeds: " + e.what());
            return;
        }
        std::vector<Schedule> first;
        for (size_t i = 0; i < got.size() && i < ask.size(); i++) {
            const std::string &name = ask[i].name;
            const ImportedCandidate &im = got[i];
            bool was_failing = std::any_of(failures.begin(), failures.end(),
                                           [&](const SeedFailure &f) { return f.autoscheduler == name; });
            if (im.status != Status::ok) {
                std::string error = im.error.substr(0, im.error.find('\n'));
                const bool oom = error.find("bad_alloc") != std::string::npos ||
                                 error.find("out of memory") != std::string::npos;
                note(t.name + ": " + name + " gave no seed (" + to_string(im.status) + ": " + error + ")" +
                     (oom && o_.memory_limit_mb() > 0
                          ? "; the workers may use " + std::to_string((long)o_.memory_limit_mb()) +
                                " MiB: a larger --memory-limit-mb asks it again"
                          : ""));
                SeedFailure f;
                f.autoscheduler = name;
                f.status = to_string(im.status);
                f.error = error;
                f.limit_s = o_.measure.compile_timeout_s;
                f.memory_limit_mb = o_.memory_limit_mb();
                f.halide_version = halide_version();
                env_.db->put_seed_failure(t.key, o_.device_key, f);
                continue;
            }
            if (was_failing) env_.db->clear_seed_failure(t.key, o_.device_key, name);
            std::string why = t.space->validate(im.schedule);
            if (!why.empty()) {
                note(t.name + ": " + name + "'s schedule is not valid here: " + why);
                continue;
            }
            std::string h = schedule_hash(im.schedule);
            t.imported.push_back(im.schedule);
            note(t.name + ": seeded with " + name + "'s schedule " + h +
                 (im.changes.empty() ? std::string(" (exact)")
                                     : " (" + std::to_string(im.changes.size()) + " adaptation(s), e.g. " +
                                           im.changes.front() + ")") +
                 (t.measured.count(h) ? ", already measured" : ""));
            if (!t.measured.count(h)) first.push_back(im.schedule);
        }
        t.seeds.insert(t.seeds.begin(), first.begin(), first.end());
        t.autoscheduler_seeded = first.size();
    }

    std::vector<Schedule> population(const Task &t) const {
        std::vector<const Row *> sorted;
        for (const Row &r : t.rows) sorted.push_back(&r);
        std::stable_sort(sorted.begin(), sorted.end(),
                         [](const Row *a, const Row *b) { return a->ms < b->ms; });
        std::vector<Schedule> pop;
        for (size_t i = 0; i < sorted.size() && (int)i < o_.population; i++)
            pop.push_back(sorted[i]->schedule);
        return pop;
    }

    std::vector<Schedule> propose(Task &t, int n) {
        std::mt19937_64 rng(splitmix(o_.seed ^ splitmix(fnv1a64(t.key) ^ splitmix((uint64_t)t.trials))));
        std::vector<Schedule> batch;
        std::set<std::string> exclude = t.measured;
        auto take = [&](const Schedule &s) {
            if ((int)batch.size() >= n) return;
            if (exclude.insert(schedule_hash(s)).second) batch.push_back(s);
        };
        // The baseline, then the seeds (whatever the strategy: seeds are their own switch), at
        // most half a batch of them so that the strategy proposes from the first batch on.
        if (!t.heuristic_measured) take(t.heuristic);
        for (const Schedule &s : t.seeds)
            if ((int)batch.size() < std::max(1, n / 2)) take(s);
        int rest = n - (int)batch.size();
        if (rest <= 0) return batch;
        std::vector<Schedule> pop = population(t);
        const bool warm = (use_model_ && env_.model_pretrained) || (int)t.rows.size() >= o_.min_ok_rows;
        SearchRequest request{*t.space, pop, exclude, rest, warm, nullptr};
        if (use_model_ && env_.model->is_trained())
            request.model = [&](const std::vector<Schedule> &ss) {
                return env_.model->predict(t.featurize(ss));
            };
        for (auto &s : t.search->propose(request, rng)) take(s);
        return batch;
    }

    void round(Task &t, int index) {
        t.rounds++;
        int n = o_.batch_size;
        if (o_.trials > 0) n = std::min(n, o_.trials - t.trials);
        std::vector<Schedule> batch;
        try {
            batch = propose(t, n);
        } catch (const std::exception &e) {
            fail(t, std::string("proposing candidates: ") + e.what());
            return;
        }
        if (batch.empty()) {
            stop(t, "exhausted");
            note(t.name + ": no unmeasured schedule found; the space looks exhausted");
            return;
        }
        double t0 = env_.clock();
        std::vector<MeasureResult> results;
        try {
            if (o_.run_cap_factor > 0 && t.best_ms > 0) {
                double cap = std::max(1.0, o_.run_cap_factor * t.best_ms / 1000 * o_.runs_per_candidate()) +
                             o_.measure.min_seconds;
                std::vector<Candidate> cs;
                for (const Schedule &s : batch) {
                    cs.push_back(Candidate::of(s));
                    cs.back().run_timeout_s = cap;
                }
                results = env_.runner->measure_candidates(*t.w, cs);
            } else {
                results = env_.runner->measure(*t.w, batch);
            }
        } catch (const std::exception &e) {
            fail(t, std::string("measuring: ") + e.what());
            return;
        }
        double dt = env_.clock() - t0;
        batch_seconds_ += dt;
        batches_++;
        t.measure_s += dt;
        std::vector<Record> records;
        for (size_t i = 0; i < batch.size(); i++) {
            Record rec = make_record(*t.w, o_.device_key, nlohmann::json(batch[i]), schedule_hash(batch[i]),
                                     results.at(i), o_.feature_schema);
            rec.run_id = o_.run_id;
            records.push_back(std::move(rec));
        }
        CommitStats st = env_.db->commit(records);  // one transaction; throws on a db failure
        (void)st;
        t.search->observe(batch, results);
        size_t first_new = t.rows.size();
        for (size_t i = 0; i < batch.size(); i++) {
            add_result(t, batch[i], records[i].schedule_hash, results[i]);
            t.run_trials++;
            t.curve.push_back(t.best_ms);
        }
        std::vector<Row *> fresh;
        for (size_t i = first_new; i < t.rows.size(); i++) fresh.push_back(&t.rows[i]);
        try {
            featurize_rows(t, fresh);
        } catch (const std::exception &e) {
            fail(t, std::string("featurizing: ") + e.what());
            return;
        }
        check_budgets(t);
        if (use_model_ && !fresh.empty()) update_model();
        if (env_.progress) env_.progress->update(rows(), index, env_.clock() - start_);
    }

    void update_model() {
        FeatureMatrix x(schema_, 0);
        std::vector<double> times;
        std::vector<GroupId> groups;
        for (size_t g = 0; g < tasks_.size(); g++)
            for (const Row &r : tasks_[g]->rows) {
                if (r.features.empty()) continue;
                x.add_row(r.features);
                times.push_back(r.ms / 1000.0);
                groups.push_back((GroupId)g);
            }
        if (x.rows < 2) return;
        try {
            env_.model->update(x, times, groups);
        } catch (const std::exception &e) {
            note(std::string("htune: warning: cost model update failed (proposals "
                             "fall back to the last "
                             "model or random): ") +
                 e.what());
        }
    }

    // Re-measures, side by side, what decides the workload's best: the heuristic, the
    // autoschedulers' imported schedules (the bar the search must clear; measured early in the
    // run, they would otherwise keep a first-batch time) and the confirm_top best records.
    void confirm(Task &t) {
        Lookup top = env_.db->top_k(t.key, o_.device_key, o_.confirm_top);
        if (top.level != Fallback::exact_device || top.records.empty()) return;
        std::vector<Schedule> batch;
        std::set<std::string> seen;
        if (t.heuristic_measured && t.heuristic_ms > 0 && seen.insert(t.heuristic_hash).second)
            batch.push_back(t.heuristic);
        for (const Schedule &s : t.imported)
            if (t.measured.count(schedule_hash(s)) && seen.insert(schedule_hash(s)).second)
                batch.push_back(s);
        for (const Record &r : top.records) {
            try {
                Schedule s = r.schedule.get<Schedule>();
                if (seen.insert(schedule_hash(s)).second) batch.push_back(std::move(s));
            } catch (const std::exception &) {
            }
        }
        std::vector<MeasureResult> results;
        try {
            for (int round = 0; round < std::max(1, o_.confirm_rounds) && !env_.stop_requested(); round++) {
                std::vector<MeasureResult> now = env_.runner->measure(*t.w, batch);
                if (results.empty()) {
                    results = std::move(now);
                    continue;
                }
                for (size_t i = 0; i < results.size() && i < now.size(); i++) {
                    if (results[i].status != Status::ok) continue;  // a failed round stays failed
                    if (now[i].status != Status::ok || now[i].min_ms < results[i].min_ms) results[i] = now[i];
                }
            }
        } catch (const std::exception &e) {
            note("htune: warning: " + t.name + ": confirming the best failed: " + e.what());
            return;
        }
        if (results.size() != batch.size()) return;
        std::vector<Record> records;
        for (size_t i = 0; i < batch.size(); i++) {
            std::string h = schedule_hash(batch[i]);
            Record rec = make_record(*t.w, o_.device_key, nlohmann::json(batch[i]), h, results.at(i),
                                     o_.feature_schema);
            rec.run_id = o_.run_id;
            records.push_back(std::move(rec));
            if (h == t.heuristic_hash && results[i].status == Status::ok) t.heuristic_ms = results[i].min_ms;
        }
        env_.db->commit(records, OnDuplicate::replace);
        t.confirmed = true;
        Lookup best = env_.db->best(t.key, o_.device_key);
        if (best.level == Fallback::exact_device && !best.records.empty()) {
            t.best_ms = best.records[0].result.min_ms;
            t.best_hash = best.records[0].schedule_hash;
        }
        // Failures counted again from the database: a confirmation may have changed
        // statuses.
        RecordQuery q;
        q.workload_key = t.key;
        q.device_key = o_.device_key;
        int64_t all = env_.db->count(q);
        q.ok_only = true;
        t.failures = (int)(all - env_.db->count(q));
        t.trials = (int)all;
    }

    std::vector<ProgressRow> rows() const {
        std::vector<ProgressRow> out;
        for (const auto &tp : tasks_) {
            const Task &t = *tp;
            ProgressRow r;
            r.workload = t.name.empty() ? t.spec.op : t.name;
            r.trials = t.trials;
            r.budget = o_.trials;
            r.best_ms = t.best_ms;
            if (t.w && t.best_ms > 0 && t.w->flops() > 0) r.gflops = t.w->flops() / (t.best_ms * 1e6);
            if (t.heuristic_ms > 0 && t.best_ms > 0) r.speedup = t.heuristic_ms / t.best_ms;
            r.failures = t.failures;
            if (!t.active) r.state = t.error.empty() ? t.stop_reason : "error";
            if (o_.trials > 0 && t.run_trials > 0)
                r.eta_s = (o_.trials - t.trials) * t.measure_s / t.run_trials;
            out.push_back(r);
        }
        return out;
    }

    WorkloadOutcome outcome(const Task &t) const {
        WorkloadOutcome w;
        w.workload = t.name.empty() ? t.spec.op : t.name;
        w.key = t.key;
        w.error = t.error;
        w.stop_reason = t.stop_reason;
        w.trials = t.trials;
        w.run_trials = t.run_trials;
        w.failures = t.failures;
        w.heuristic_ms = t.heuristic_ms;
        w.best_ms = t.best_ms;
        if (t.w && t.best_ms > 0 && t.w->flops() > 0) w.gflops = t.w->flops() / (t.best_ms * 1e6);
        if (t.heuristic_ms > 0 && t.best_ms > 0) w.speedup = t.heuristic_ms / t.best_ms;
        w.best_hash = t.best_hash;
        w.heuristic_hash = t.heuristic_hash;
        w.confirmed = t.confirmed;
        w.curve = t.curve;
        return w;
    }

    const TuneOptions &o_;
    TuneEnv &env_;
    SearchFactory make_search_;
    bool use_model_ = false;  // the strategy ranks with the model and there is one
    std::vector<std::unique_ptr<Task>> tasks_;
    FeatureSchema schema_;
    double start_ = 0, batch_seconds_ = 0;
    int batches_ = 0;
};

}  // namespace

double parse_duration(const std::string &text) {
    auto bad = [&] {
        throw_usage("bad duration '" + text + "' (expected e.g. 8h, 30m, 90s, 1h30m or seconds)");
    };
    if (text.empty()) bad();
    double total = 0;
    size_t i = 0;
    bool any = false;
    while (i < text.size()) {
        size_t j = i;
        while (j < text.size() && (std::isdigit((unsigned char)text[j]) || text[j] == '.')) j++;
        if (j == i) bad();
        double v = 0;
        try {
            v = std::stod(text.substr(i, j - i));
        } catch (const std::exception &) {
            bad();
        }
        double unit = 1;
        if (j < text.size()) {
            char c = text[j++];
            if (c == 'h')
                unit = 3600;
            else if (c == 'm')
                unit = 60;
            else if (c == 's')
                unit = 1;
            else
                bad();
        } else if (any) {
            bad();  // "1h30": a unit is required after the first part
        }
        total += v * unit;
        any = true;
        i = j;
    }
    if (!(total > 0) || !std::isfinite(total)) bad();
    return total;
}

TuneResult tune(const std::vector<WorkloadSpec> &specs, const TuneOptions &o, TuneEnv &env) {
    if (!env.runner || !env.db) throw_usage("tune: a runner and a database are required");
    if (o.batch_size < 1) throw_usage("tune: --batch-size must be >= 1");
    if (o.trials < 0) throw_usage("tune: --trials must be >= 0");
    if (o.early_stop < 0) throw_usage("tune: --early-stop must be >= 0");
    if (o.time_budget_s < 0) throw_usage("tune: --time-budget must be > 0");
    if (o.trials == 0 && o.time_budget_s == 0 && o.early_stop == 0)
        throw_usage("tune: give a budget: --trials N, --time-budget T or --early-stop N");
    if (!(o.search.epsilon >= 0 && o.search.epsilon <= 1)) throw_usage("tune: --epsilon must be in [0, 1]");
    Loop::SearchFactory make_search = env.make_search;
    if (!make_search) {
        const auto &names = search_strategy_names();
        if (std::find(names.begin(), names.end(), o.search_strategy) == names.end())
            throw_usage("tune: --search must be guided, evolution or random, not '" + o.search_strategy +
                        "'");
        make_search = [name = o.search_strategy, so = o.search] { return make_search_strategy(name, so); };
    }
    if (env.model && !env.featurizer && make_search()->uses_model())
        throw_usage("tune: a model-ranked search needs a featurizer");
    Loop loop(specs, o, env, std::move(make_search));
    return loop.run();
}

}  // namespace htune
