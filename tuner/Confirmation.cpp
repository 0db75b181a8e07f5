// Confirmation.h: re-measuring the best of a workload at the end of a run.
#include "tuner/Confirmation.h"

#include <algorithm>
#include <set>

#include "db/Record.h"

namespace htune {

namespace {

// The confirmation batch: the heuristic, the measured imports, then the top records (deduplicated).
std::vector<Schedule> confirmation_batch(const Task &t, const Lookup &top) {
    std::vector<Schedule> batch;
    std::set<std::string> seen;
    if (t.heuristic_measured && t.heuristic_ms > 0 && seen.insert(t.heuristic_hash).second)
        batch.push_back(t.heuristic);
    for (const Schedule &s : t.seeds.imported)
        if (t.measured.count(schedule_hash(s)) && seen.insert(schedule_hash(s)).second) batch.push_back(s);
    for (const Record &r : top.records) {
        try {
            Schedule s = r.schedule.get<Schedule>();
            if (seen.insert(schedule_hash(s)).second) batch.push_back(std::move(s));
        } catch (const std::exception &) {
        }
    }
    return batch;
}

// confirm_rounds measurements of `batch`, each result its best round (a failed round stays
// failed). Throws what the runner throws.
std::vector<MeasureResult> measure_rounds(const Task &t, const std::vector<Schedule> &batch,
                                          const TuneOptions &o, TuneEnv &env) {
    std::vector<MeasureResult> results;
    for (int round = 0; round < std::max(1, o.confirm_rounds) && !env.stop_requested(); round++) {
        std::vector<MeasureResult> now = env.runner->measure_together(*t.w, batch);
        if (results.empty()) {
            results = std::move(now);
            continue;
        }
        for (size_t i = 0; i < results.size() && i < now.size(); i++) {
            if (results[i].status != Status::ok) continue;  // a failed round stays failed
            if (now[i].status != Status::ok || now[i].min_ms < results[i].min_ms) results[i] = now[i];
        }
    }
    return results;
}

}  // namespace

void confirm(Task &t, const TuneOptions &o, TuneEnv &env, const NoteFunction &note) {
    Lookup top = env.db->top_k(t.key, o.device_key, o.confirm_top);
    if (top.level != Fallback::exact_device || top.records.empty()) return;
    std::vector<Schedule> batch = confirmation_batch(t, top);
    std::vector<MeasureResult> results;
    try {
        results = measure_rounds(t, batch, o, env);
    } catch (const std::exception &e) {
        if (note) note("htune: warning: " + t.name + ": confirming the best failed: " + e.what());
        return;
    }
    if (results.size() != batch.size()) return;
    std::vector<Record> records;
    for (size_t i = 0; i < batch.size(); i++) {
        std::string h = schedule_hash(batch[i]);
        Record rec =
            make_record(*t.w, o.device_key, nlohmann::json(batch[i]), h, results.at(i), o.feature_schema);
        rec.run_id = o.run_id;
        records.push_back(std::move(rec));
        if (h == t.heuristic_hash && results[i].status == Status::ok) t.heuristic_ms = results[i].min_ms;
    }
    env.db->commit(records, OnDuplicate::confirm);  // keeps when each was found
    t.confirmed = true;
    Lookup best = env.db->best(t.key, o.device_key);
    if (best.level == Fallback::exact_device && !best.records.empty()) {
        t.best_ms = best.records[0].result.min_ms;
        t.best_hash = best.records[0].schedule_hash;
    }
    // Failures counted again from the database: a confirmation may have changed statuses.
    RecordQuery q;
    q.workload_key = t.key;
    q.device_key = o.device_key;
    int64_t all = env.db->count(q);
    q.ok_only = true;
    t.failures = (int)(all - env.db->count(q));
    t.trials = (int)all;
}

}  // namespace htune
