// Tuner.h: the tuning loop. Start at Loop::run (the whole run) and Loop::round (one round of
// one workload: propose -> measure -> store -> update the model -> report). A workload's state
// and budgets are Task.h's, its seeds SeedProvider.h's, the end-of-run re-measurement
// Confirmation.h's and what is shown and returned TuneReport.h's.
#include "tuner/Tuner.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <set>

#include "db/Record.h"
#include "ops/Error.h"
#include "ops/Hash.h"
#include "tuner/Confirmation.h"
#include "tuner/SeedProvider.h"
#include "tuner/Task.h"
#include "tuner/TuneReport.h"

namespace htune {

namespace {

uint64_t splitmix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

double now_steady() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

class Loop {
public:
    using SearchFactory = std::function<std::unique_ptr<SearchStrategy>()>;

    Loop(const std::vector<WorkloadSpec> &specs, const TuneOptions &o, TuneEnv &env,
         SearchFactory make_search)
        : o_(o),
          env_(env),
          make_search_(std::move(make_search)),
          report_(env.progress),
          seeds_(o, *env.runner, *env.db, report_.notes()) {
        if (!env_.clock) env_.clock = now_steady;
        if (!env_.stop_requested) env_.stop_requested = [] { return false; };
        use_model_ = env_.model != nullptr && make_search_()->uses_model();
        for (const auto &spec : specs) {
            tasks_.push_back(std::make_unique<Task>());
            tasks_.back()->spec = spec;
        }
    }

    // Sets every workload up (resume, seeds), then runs rounds on the workload the task
    // scheduler picks until every workload is done, the time budget is spent or a stop is
    // requested; then confirms each workload's best.
    TuneResult run() {
        start_ = env_.clock();
        for (auto &t : tasks_) {
            // Setting a workload up asks the autoschedulers for seeds (seconds each): with many
            // workloads (a network's layers) that alone can outlast a short budget.
            if (o_.time_budget_s > 0 && env_.clock() - start_ > o_.time_budget_s) {
                t->stop("time budget");
                report_.note(t->display_name() +
                             ": not started: the time budget was spent setting up the others");
                continue;
            }
            setup(*t);
        }
        if (use_model_) update_model();
        track_model_latency();
        uint64_t total = 0;
        for (auto &t : tasks_) total += t->trials;
        std::mt19937_64 sched_rng(splitmix(o_.seed ^ splitmix(total + 0x5eed)));
        TuneResult result;
        while (true) {
            if (env_.stop_requested()) {
                result.stopped = true;
                stop_all("stopped");
                break;
            }
            if (out_of_time()) {
                stop_all("time budget");
                break;
            }
            std::vector<TaskStats> stats;
            for (auto &t : tasks_) stats.push_back(t->stats(o_));
            int i = choose_task(stats, o_.scheduler, sched_rng);
            if (i < 0) break;
            round(*tasks_[i], i);
        }
        if (!result.stopped && o_.confirm_top > 0)
            for (auto &t : tasks_)
                if (t->error.empty() && !env_.stop_requested()) confirm(*t, o_, env_, report_.notes());
        if (env_.stop_requested()) result.stopped = true;  // also when it came during confirmation
        report_.finish();
        for (auto &t : tasks_) result.workloads.push_back(outcome_of(*t));
        result.model_curve = model_curve_;
        result.elapsed_s = env_.clock() - start_;
        return result;
    }

private:
    // One round of one workload (DESIGN.md, "The data flow of one tuning round"): propose a
    // batch -> measure it -> store it (one transaction; the strategy observes it) -> featurize
    // the new ok rows -> budgets -> update the model -> report. A failing step stops this
    // workload only (fail); the run goes on.
    void round(Task &t, int index) {
        t.rounds++;
        int n = o_.batch_size;
        if (o_.trials > 0) n = std::min(n, o_.trials - t.trials);
        std::vector<Schedule> batch = take_ahead(t, index, n);
        if (batch.empty() &&
            !attempt(t, "proposing candidates", [&] { batch = propose(t, n, {}, t.trials); }))
            return;
        if (batch.empty()) {
            t.stop("exhausted");
            report_.note(t.name + ": no unmeasured schedule found; the space looks exhausted");
            return;
        }
        std::future<std::vector<Schedule>> next = propose_ahead(t, batch);
        std::vector<MeasureResult> results;
        const bool measured = attempt(t, "measuring", [&] { results = measure(t, batch); });
        join_ahead(next, index, t.trials + (int)batch.size(), measured);
        if (!measured) return;
        size_t first_new = t.rows.size();
        const std::string best_before = t.best_hash;
        store(t, batch, results);
        if (t.best_hash != best_before) offer_to_lookalikes(t);
        if (!attempt(t, "featurizing", [&] { featurize_rows(t, first_new); })) return;
        check_budgets(t);
        if (use_model_ && t.rows.size() > first_new) update_model();
        report_.batch_done(tasks_, index, env_.clock() - start_, o_, track_model_latency());
    }

    // The model latency now (TuneOptions::model_name): the sum of count x best time over the
    // workloads that did not fail, 0 while one of them has no best time yet.
    double model_ms() const {
        double sum = 0;
        for (const auto &t : tasks_) {
            if (!t->error.empty()) continue;
            if (t->best_ms <= 0) return 0;
            sum += t->spec.count * t->best_ms;
        }
        return sum;
    }

    // Adds the model latency to the curve when it changed and returns the progress line's part
    // about it: "resnet18 12.3 ms (from 31.2 ms: 2.53x)"; "" without a model.
    std::string track_model_latency() {
        if (o_.model_name.empty()) return "";
        const double ms = model_ms();
        char buf[200];
        if (ms <= 0) {
            int with_best = 0, n = 0;
            for (const auto &t : tasks_)
                if (t->error.empty()) {
                    n++;
                    with_best += t->best_ms > 0;
                }
            std::snprintf(buf, sizeof buf, "%s latency - (%d of %d layers measured)", o_.model_name.c_str(),
                          with_best, n);
            return buf;
        }
        if (model_curve_.empty() || model_curve_.back().ms != ms)
            model_curve_.push_back(ModelPoint{env_.clock() - start_, ms});
        const double first = model_curve_.front().ms;
        if (first > ms)
            std::snprintf(buf, sizeof buf, "%s latency %.4g ms (from %.4g ms: %.2fx)", o_.model_name.c_str(),
                          ms, first, first / ms);
        else
            std::snprintf(buf, sizeof buf, "%s latency %.4g ms", o_.model_name.c_str(), ms);
        return buf;
    }

    // A network's layers (TuneOptions::model_name): t's new best is queued first among the seeds
    // of every other active workload of the same operator whose space it fits (tuning one shape
    // seeds its look-alikes). A schedule is valid in another workload's space only when its
    // stages and loops exist there and its splits fit its extents (ScheduleSpace::validate).
    void offer_to_lookalikes(const Task &from) {
        if (o_.model_name.empty()) return;
        const Row *best = nullptr;
        for (const Row &r : from.rows)
            if (r.hash == from.best_hash) best = &r;
        if (!best) return;
        for (auto &u : tasks_) {
            if (u.get() == &from || !u->active || !u->space || u->spec.op != from.spec.op ||
                u->spec.generator_lib != from.spec.generator_lib || u->measured.count(best->hash))
                continue;
            auto &queue = u->seeds.queue;
            bool queued = false;
            for (const Schedule &s : queue) queued = queued || schedule_hash(s) == best->hash;
            if (queued) continue;
            bool fits = false;
            try {
                fits = u->space->validate(best->schedule).empty();
            } catch (const std::exception &) {
            }
            if (fits) queue.insert(queue.begin(), best->schedule);
        }
    }

    // Proposing ahead (TuneOptions::propose_ahead): while `batch` is measured, the workload's
    // next batch is proposed on another thread from the same state, as if `batch` were already
    // measured (its hashes excluded, the trial count past it); the model does not know its
    // results yet. Only once the workload has a best time and enough rows for the strategy: the
    // first batches depend on what the heuristic and the seeds measure. Nothing else touches
    // the task, the strategy or the model until join_ahead().
    std::future<std::vector<Schedule>> propose_ahead(Task &t, const std::vector<Schedule> &batch) {
        if (!o_.propose_ahead || t.best_ms <= 0 || (int)t.rows.size() < o_.min_ok_rows) return {};
        const int after = t.trials + (int)batch.size();
        int n = o_.batch_size;
        if (o_.trials > 0) n = std::min(n, o_.trials - after);
        if (n <= 0) return {};
        std::set<std::string> measuring;
        for (const Schedule &s : batch) measuring.insert(schedule_hash(s));
        return std::async(std::launch::async,
                          [this, &t, n, measuring, after] { return propose(t, n, measuring, after); });
    }

    // Waits for the batch proposed ahead and keeps it for the workload's next round (when the
    // batch it was proposed past was measured). A proposal that failed is dropped: the next
    // round proposes as usual.
    void join_ahead(std::future<std::vector<Schedule>> &next, int index, int trials_after, bool measured) {
        if (!next.valid()) return;
        const double t0 = env_.clock();
        std::vector<Schedule> b;
        try {
            b = next.get();
        } catch (const std::exception &) {
            b.clear();
        }
        if (env_.ahead_waited) env_.ahead_waited(env_.clock() - t0);
        if (measured && !b.empty()) ahead_ = Ahead{index, trials_after, std::move(b)};
    }

    // The batch proposed ahead for this round of this workload, if there is one and nothing has
    // been measured for the workload since (cut to `n`; none measured in between).
    std::vector<Schedule> take_ahead(Task &t, int index, int n) {
        std::vector<Schedule> out;
        if (ahead_.task != index || ahead_.trials != t.trials) return out;
        for (Schedule &s : ahead_.batch)
            if ((int)out.size() < n && !t.measured.count(schedule_hash(s))) out.push_back(std::move(s));
        ahead_ = Ahead{};
        return out;
    }

    // The batch: the heuristic until it is measured, then the seeds (whatever the strategy:
    // seeds are their own switch), at most half a batch of them so that the strategy proposes
    // from the first batch on, then the strategy's proposals. No hash twice, none measured or in
    // `measuring`. A workload without a best time first measures the heuristic and the proven
    // seeds alone. `trials` seeds the proposals' random numbers (the workload's trial count).
    std::vector<Schedule> propose(Task &t, int n, const std::set<std::string> &measuring, int trials) {
        std::mt19937_64 rng(splitmix(o_.seed ^ splitmix(fnv1a64(t.key) ^ splitmix((uint64_t)trials))));
        std::vector<Schedule> batch;
        std::set<std::string> exclude = t.measured;
        exclude.insert(measuring.begin(), measuring.end());
        auto take = [&](const Schedule &s) {
            if ((int)batch.size() >= n) return;
            if (exclude.insert(schedule_hash(s)).second) batch.push_back(s);
        };
        if (!t.heuristic_measured) take(t.heuristic);
        // Until the workload has a best time, a batch holds only the heuristic and the proven
        // seeds (autoscheduler imports, other parameters' bests): their best sets the run cap
        // (measure()) for everything after. Otherwise a sketch 500x slower than them is timed in
        // full in the first batch (max filter at bench size: 39.6 s a run against 75 ms, 9
        // minutes of a 13-minute budget).
        if (t.best_ms <= 0 && o_.run_cap_factor > 0) {
            for (const Schedule &s : t.seeds.pacers) take(s);
            if (!batch.empty()) return batch;
        }
        for (const Schedule &s : t.seeds.queue)
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

    // The workload's best measured schedules, fastest first: the strategy's parents.
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

    // Measures the batch; once the workload has a best time, each candidate's run job is capped
    // (TuneOptions::run_cap_factor) and a slow one timed by one run (cutoff_factor). Throws what
    // the runner throws.
    std::vector<MeasureResult> measure(Task &t, const std::vector<Schedule> &batch) {
        double t0 = env_.clock();
        std::vector<MeasureResult> results;
        const double compile_cap = t.best_ms > 0 ? t.compile_cap_s(o_) : 0;
        if ((o_.run_cap_factor > 0 && t.best_ms > 0) || compile_cap > 0) {
            double cap = o_.run_cap_factor > 0
                             ? std::max(1.0, o_.run_cap_factor * t.best_ms / 1000 * o_.runs_per_candidate()) +
                                   o_.measure.min_seconds
                             : 0;
            std::vector<Candidate> cs;
            for (const Schedule &s : batch) {
                cs.push_back(Candidate::of(s));
                cs.back().run_timeout_s = cap;
                cs.back().cutoff_ms = cap > 0 ? o_.cutoff_factor * t.best_ms : 0;  // as without a compile cap
                cs.back().compile_timeout_s = compile_cap;
            }
            results = env_.runner->measure_candidates(*t.w, cs);
        } else {
            results = env_.runner->measure(*t.w, batch);
        }
        double dt = env_.clock() - t0;
        batch_seconds_ += dt;
        batches_++;
        t.measure_s += dt;
        return results;
    }

    // Commits the batch in one transaction (throws on a database failure), tells the strategy,
    // and records each result in the workload's state and best-so-far curve.
    void store(Task &t, const std::vector<Schedule> &batch, const std::vector<MeasureResult> &results) {
        std::vector<Record> records;
        for (size_t i = 0; i < batch.size(); i++) {
            Record rec = make_record(*t.w, o_.device_key, nlohmann::json(batch[i]), schedule_hash(batch[i]),
                                     results.at(i), o_.feature_schema);
            rec.run_id = o_.run_id;
            records.push_back(std::move(rec));
        }
        env_.db->commit(records);
        t.search->observe(batch, results);
        for (size_t i = 0; i < batch.size(); i++) {
            t.add_result(batch[i], records[i].schedule_hash, results[i], o_);
            t.run_trials++;
            t.curve.push_back(t.best_ms);
        }
    }

    // The features of t's ok rows from `first` on (only when the run uses a model).
    void featurize_rows(Task &t, size_t first) {
        if (!use_model_ || first >= t.rows.size()) return;
        std::vector<Schedule> ss;
        for (size_t i = first; i < t.rows.size(); i++) ss.push_back(t.rows[i].schedule);
        FeatureMatrix m = t.featurize(ss);
        if (schema_.columns.empty()) schema_ = m.schema;
        for (size_t i = first; i < t.rows.size(); i++)
            t.rows[i].features.assign(m.row(i - first), m.row(i - first) + m.cols());
    }

    // Trains the model on every featurized ok row of every workload (one group per workload).
    // A failure is a warning: proposals go on with the last model, or at random.
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
            report_.note(
                std::string("htune: warning: cost model update failed (proposals fall back to the last "
                            "model or random): ") +
                e.what());
        }
    }

    // Builds the workload and its space, loads what the database holds of it (resume), checks
    // its budgets and, when it goes on, takes its seeds.
    void setup(Task &t) {
        bool ok = attempt(t, "", [&] {
            t.w = std::make_unique<Workload>(make_workload(t.spec));
            t.name = t.w->canonical();
            t.key = t.w->key();
            t.space = std::make_unique<ScheduleSpace>(*t.w, env_.target);
            t.heuristic = t.space->heuristic();
            t.heuristic_hash = schedule_hash(t.heuristic);
            t.search = make_search_();
            if (use_model_) t.featurize = env_.featurizer(*t.w, *t.space);
        });
        if (!ok) return;
        size_t first_new = t.rows.size();
        load_stored(t);
        if (!attempt(t, "featurizing stored records", [&] { featurize_rows(t, first_new); })) return;
        t.curve.push_back(t.best_ms);
        check_budgets(t);
        if (t.active) t.seeds = seeds_.seeds(*t.w, *t.space, t.measured);
    }

    // What the database already holds of t on this device type: its trials, failures, best and
    // ok rows. A record of another schedule schema is counted, not learned from.
    void load_stored(Task &t) {
        RecordQuery q;
        q.workload_key = t.key;
        q.device_key = o_.device_key;
        env_.db->scan(q, [&](const Record &rec) {
            Schedule s;
            bool parsed = true;
            try {
                s = rec.schedule.get<Schedule>();
            } catch (const std::exception &) {
                parsed = false;
            }
            if (parsed) {
                t.add_result(s, rec.schedule_hash, rec.result, o_);
            } else {
                t.measured.insert(rec.schedule_hash);
                t.trials++;
                if (rec.result.status != Status::ok) t.failures++;
            }
        });
    }

    void check_budgets(Task &t) {
        std::string stuck = t.check_budgets(o_);
        if (!stuck.empty()) report_.note(stuck);
    }

    // Whether one more batch (at the mean batch time so far) would overrun the time budget.
    bool out_of_time() const {
        if (o_.time_budget_s <= 0 || batches_ == 0) return false;
        return env_.clock() - start_ + batch_seconds_ / batches_ > o_.time_budget_s;
    }

    void stop_all(const std::string &why) {
        for (auto &t : tasks_)
            if (t->active) t->stop(why);
    }

    void fail(Task &t, const std::string &what) {
        t.error = what;
        t.active = false;
        t.stop_reason = "error";
        report_.note("htune: error: " + t.display_name() + ": " + what + " (the run goes on)");
    }

    // Runs one step of t; an exception from it fails t with "STEP: message" (the message alone
    // where `step` is empty) and gives false.
    template <class F>
    bool attempt(Task &t, const std::string &step, F &&f) {
        try {
            f();
            return true;
        } catch (const std::exception &e) {
            fail(t, step.empty() ? std::string(e.what()) : step + ": " + e.what());
            return false;
        }
    }

    const TuneOptions &o_;
    TuneEnv &env_;
    SearchFactory make_search_;
    Reporter report_;
    SeedProvider seeds_;
    bool use_model_ = false;  // the strategy ranks with the model and there is one
    std::vector<std::unique_ptr<Task>> tasks_;
    FeatureSchema schema_;
    struct Ahead {
        int task = -1, trials = -1;  // for this workload, when it has this many trials
        std::vector<Schedule> batch;
    };
    Ahead ahead_;  // the batch proposed ahead (propose_ahead), until its round takes it
    double start_ = 0, batch_seconds_ = 0;  // batch_seconds_: measuring time of all batches
    std::vector<ModelPoint> model_curve_;   // TuneResult::model_curve
    int batches_ = 0;
};

}  // namespace

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
            throw_usage("tune: --search must be " + search_strategy_choices() + ", not '" +
                        o.search_strategy + "'");
        make_search = [name = o.search_strategy, so = o.search] { return make_search_strategy(name, so); };
    }
    if (env.model && !env.featurizer && make_search()->uses_model())
        throw_usage("tune: a model-ranked search needs a featurizer");
    Loop loop(specs, o, env, std::move(make_search));
    return loop.run();
}

}  // namespace htune
