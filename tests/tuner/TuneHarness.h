// The tuning loop's test harness (tests of tuner/Tuner.h): fakes for every slow seam.
// FakeRunner (times from a synthetic cost of the schedule), FakeCostModel (ranks by the same
// synthetic features, i.e. a perfect model), a fake featurizer and a fake clock, so a whole
// run takes well under a second. Used by TuneLoopTest.cpp (budgets, resume, scheduling,
// strategies), TuneSeedsTest.cpp, TuneConfirmationTest.cpp and SeedProviderTest.cpp.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "db/Database.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "tests/support/FakeCostModel.h"
#include "tests/support/FakeRunner.h"
#include "tuner/Progress.h"
#include "tuner/Tuner.h"
#include "tuner/WorkloadSet.h"

namespace htune::test {

// Synthetic features of a schedule: how far its split factors are from 16, the
// compute_root Funcs, whether its stages vectorize and run in parallel. The
// fake "time" grows with them.
inline std::vector<float> fake_features(const Schedule &s) {
    float tile = 0, roots = 0, novec = 0, nopar = 0;
    for (const auto &[name, f] : s.funcs) {
        if (f.placement == Placement::root) roots += 1;
        for (const auto &st : f.stages) {
            for (const auto &sp : st.splits)
                for (int x : sp.factors) tile += std::fabs(std::log2((float)std::max(x, 1)) - 4.0f);
            if (st.vectorize.empty()) novec += 1;
            if (st.parallel.empty()) nopar += 1;
        }
    }
    return {tile, roots, novec, nopar};
}

inline double fake_ms(const Schedule &s) {
    auto f = fake_features(s);
    return 1.0 + f[0] + 2 * f[1] + 3 * f[2] + 3 * f[3];
}

inline FeatureSchema fake_schema() { return {"fake-features", 1, {"tile", "roots", "novec", "nopar"}}; }

inline FeaturizerFactory fake_featurizer() {
    return [](const Workload &, const ScheduleSpace &) -> FeaturizeFunction {
        return [](const std::vector<Schedule> &batch) {
            FeatureMatrix m(fake_schema(), 0);
            for (const auto &s : batch) m.add_row(fake_features(s));
            return m;
        };
    };
}

// The FakeCostModel scores -(weighted sum of features): the same order as
// fake_ms.
inline std::unique_ptr<FakeCostModel> perfect_model() {
    return std::make_unique<FakeCostModel>(
        [](const float *r, size_t) { return -(r[0] + 2 * r[1] + 3 * r[2] + 3 * r[3]); });
}

inline MeasureResult ok_result(double ms) {
    MeasureResult r;
    r.status = Status::ok;
    r.min_ms = r.median_ms = ms;
    r.repeats = 5;
    r.threads = 2;
    return r;
}

struct Harness {
    std::unique_ptr<Database> db = open_database(":memory:");
    double now = 0;
    double seconds_per_candidate = 0;
    std::function<double(const Workload &, const Schedule &)> time_of =
        [](const Workload &, const Schedule &s) { return fake_ms(s); };
    // Its compile time (MeasureResult::compile_s), 0 by default.
    std::function<double(const Schedule &)> compile_s_of = [](const Schedule &) { return 0.0; };
    // time_of < 0: the candidate fails (runtime_error).
    FakeRunner runner{[this](const Workload &w, const Schedule &s, Fault) {
        now += seconds_per_candidate;
        double ms = time_of(w, s);
        if (ms >= 0) {
            MeasureResult r = ok_result(ms);
            r.compile_s = compile_s_of(s);
            return r;
        }
        MeasureResult r;
        r.status = Status::runtime_error;
        r.error = "fake failure";
        return r;
    }};
    std::unique_ptr<FakeCostModel> model = perfect_model();
    TuneOptions o;
    TuneEnv env;
    // What the run prints, once log_progress() is called.
    std::ostringstream log;
    std::unique_ptr<Progress> progress;

    Harness() {
        o.device_key = "x86-64-linux-avx2|fake cpu|2t";
        o.trials = 24;
        o.batch_size = 4;
        o.seed = 1;
        o.search.pool = 96;
        env.runner = &runner;
        env.model = model.get();
        env.featurizer = fake_featurizer();
        env.clock = [this] { return now; };
    }
    // The run's progress lines and notes go to `log`.
    void log_progress() {
        progress = make_progress(log, false);
        env.progress = progress.get();
    }
    // One autoscheduler seed, Mullapudi2016, whose import is `imported`.
    void seed_with(const Schedule &imported) {
        o.autoscheduler_seeds = {Candidate::autoscheduler("Mullapudi2016", "/x/m.so", {})};
        runner.importer = [imported](const Workload &, const std::vector<Candidate> &cs) {
            std::vector<ImportedCandidate> out(cs.size());
            out[0].schedule = imported;
            return out;
        };
    }
    TuneResult run(const std::vector<WorkloadSpec> &specs) {
        env.db = db.get();
        return tune(specs, o, env);
    }
    std::vector<std::string> hashes(const std::string &key) {
        std::vector<std::string> out;
        RecordQuery q;
        q.workload_key = key;
        q.device_key = o.device_key;
        db->scan(q, [&](const Record &r) { out.push_back(r.schedule_hash); });
        return out;
    }
};

inline WorkloadSpec test_spec(const std::string &op) { return spec_of(make_workload(op, true)); }

// The autoschedulers of the seed-failure tests: each call's names are appended to `asked`;
// every candidate imports `schedule` (or its entry in `by_name`), except that Adams2019 fails
// with `failure` until `adams_works`.
struct FlakyImporter {
    Schedule schedule;
    std::map<std::string, Schedule> by_name;
    ImportedCandidate failure;
    bool adams_works = false;
    std::vector<std::vector<std::string>> asked;

    std::vector<ImportedCandidate> operator()(const Workload &, const std::vector<Candidate> &cs) {
        asked.emplace_back();
        std::vector<ImportedCandidate> out(cs.size());
        for (size_t i = 0; i < cs.size(); i++) {
            asked.back().push_back(cs[i].name);
            auto named = by_name.find(cs[i].name);
            out[i].schedule = named != by_name.end() ? named->second : schedule;
            if (cs[i].name == "Adams2019" && !adams_works) {
                out[i].status = failure.status;
                out[i].error = failure.error;
            }
        }
        return out;
    }
};

// Collects the notes a run prints.
struct NoteCollector : Progress {
    std::vector<std::string> notes;
    void update(const std::vector<ProgressRow> &, int, double, const std::string &) override {}
    void note(const std::string &line) override { notes.push_back(line); }
    void finish() override {}
};

}  // namespace htune::test
