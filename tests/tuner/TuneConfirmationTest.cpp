// The end of a tuning run (tuner/Confirmation.h): the best records, the heuristic and the
// autoschedulers' imports re-measured side by side in rounds; with the fakes of TuneHarness.h.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "db/Database.h"
#include "db/Version.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "tests/tuner/TuneHarness.h"
#include "tuner/Tuner.h"
#include "tuner/WorkloadSet.h"

namespace htune::test {

// An autoscheduler's schedule is measured in a workload's first batch, where timings can be
// slow (a cold worker); the confirmation measures it again beside the best records, in
// confirm_rounds rounds, so the best is decided among equals.
TEST(TuneLoopTest, ConfirmationRemeasuresTheAutoschedulerSeedsInRoundsAndKeepsEachBestRound) {
    Harness h;
    Workload w = make_workload("harris", true);
    ScheduleSpace space(w, h.env.target);
    std::mt19937_64 rng(7);
    Schedule imported = space.sample(rng);
    const std::string ih = schedule_hash(imported);
    const std::string hh = schedule_hash(space.heuristic());
    ASSERT_NE(ih, hh);
    h.seed_with(imported);
    std::map<std::string, int> calls;
    int64_t confirmation_began = 0;  // Unix seconds
    h.time_of = [&](const Workload &, const Schedule &s) {
        std::string k = schedule_hash(s);
        int n = calls[k]++;
        if (k == ih && n == 1) {  // the confirmation's first measurement: a second later than the rest
            confirmation_began = std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
            std::this_thread::sleep_for(std::chrono::milliseconds(1100));
        }
        if (k == ih) return n == 0 ? 1000.0 : n == 1 ? 0.9 : 0.7;  // slow first, then the fastest
        if (k == hh && n == 2) return -1.0;                        // fails its second confirmation round
        return fake_ms(s) + 1 - 0.1 * n;                           // every later measurement a little faster
    };
    h.o.trials = 16;
    h.o.confirm_top = 3;
    h.o.confirm_rounds = 2;
    TuneResult r = h.run({spec_of(w)});
    ASSERT_EQ(r.workloads.size(), 1u);
    EXPECT_TRUE(r.workloads[0].confirmed);
    // Two confirmation rounds, each with the heuristic, the imported schedule (its 1000 ms kept
    // it out of the top 3) and the 3 best.
    const auto &batches = h.runner.batches();
    ASSERT_GE(batches.size(), 3u);
    for (size_t b = batches.size() - 2; b < batches.size(); b++) {
        const auto &hs = batches[b];
        EXPECT_EQ(hs.size(), 5u);
        EXPECT_NE(std::find(hs.begin(), hs.end(), ih), hs.end()) << "the imported schedule is confirmed";
        EXPECT_NE(std::find(hs.begin(), hs.end(), hh), hs.end()) << "the heuristic is confirmed";
    }
    EXPECT_EQ(calls[ih], 3);
    // The seed's best round (0.7 ms) makes it the best.
    Lookup best = h.db->best(w.key(), h.o.device_key);
    ASSERT_EQ(best.records.size(), 1u);
    EXPECT_EQ(best.records[0].schedule_hash, ih);
    EXPECT_DOUBLE_EQ(best.records[0].result.min_ms, 0.7);
    EXPECT_EQ(r.workloads[0].best_hash, ih);
    // A record that failed a round is stored failed; the others keep their better round.
    // Confirmed records keep the moment they were first measured (a tuning curve drawn from the
    // timestamps shows when each best was found), while their results are the confirmed ones.
    int confirmed_others = 0;
    RecordQuery q;
    q.workload_key = w.key();
    q.device_key = h.o.device_key;
    ASSERT_GT(confirmation_began, 0);
    h.db->scan(q, [&](const Record &rec) {
        EXPECT_LE(rec.timestamp, confirmation_began) << rec.schedule_hash;
        if (rec.schedule_hash == hh) {
            EXPECT_EQ(rec.result.status, Status::runtime_error);
        } else if (rec.schedule_hash != ih && calls[rec.schedule_hash] == 3) {
            confirmed_others++;
            EXPECT_EQ(rec.result.status, Status::ok);
            EXPECT_NEAR(rec.result.min_ms, fake_ms(rec.schedule.get<Schedule>()) + 0.8, 1e-9);
        }
    });
    EXPECT_EQ(confirmed_others, 3);
}

}  // namespace htune::test
