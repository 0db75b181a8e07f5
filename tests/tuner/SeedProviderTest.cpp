// SeedProvider (tuner/SeedProvider.h) alone, without the loop: the seed-failure policy
// (known_seed_failure) and one workload's seeds in measuring order, with a FakeRunner importer
// and an in-memory database (TuneHarness.h). The loop's use of seeds: TuneSeedsTest.cpp.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "db/Database.h"
#include "db/Record.h"
#include "db/Version.h"
#include "tests/tuner/TuneHarness.h"
#include "tuner/SeedProvider.h"

namespace htune::test {

// The seed-failure policy alone: which remembered failure keeps an autoscheduler from being
// asked again, under which limits.
TEST(SeedProviderTest, AFailureIsAskedAgainOnlyUnderLargerLimitsAnotherHalideOrRetry) {
    TuneOptions o;
    o.measure.compile_timeout_s = 120;
    o.measure.address_space_bytes = size_t(4096) << 20;
    SeedFailure oom;
    oom.autoscheduler = "Adams2019";
    oom.status = Status::compile_error;
    oom.error = "std::bad_alloc";
    oom.limit_s = 120;
    oom.memory_limit_mb = 4096;
    oom.halide_version = halide_version();
    SeedFailure slow = oom;
    slow.autoscheduler = "Li2018";
    slow.status = Status::timeout;
    slow.limit_s = 60;
    const std::vector<SeedFailure> failures = {oom, slow};
    auto known = [&](const std::string &name) { return known_seed_failure(failures, name, o); };

    // Same limits: the failure stands; an autoscheduler with no failure is asked.
    ASSERT_NE(known("Adams2019"), nullptr);
    EXPECT_EQ(known("Adams2019")->error, "std::bad_alloc");
    EXPECT_EQ(known("Mullapudi2016"), nullptr);
    // A timeout under a shorter compile limit is asked again; under the same or a longer one not.
    EXPECT_EQ(known("Li2018"), nullptr);
    o.measure.compile_timeout_s = 60;
    EXPECT_NE(known("Li2018"), nullptr);
    o.measure.compile_timeout_s = 30;
    EXPECT_NE(known("Li2018"), nullptr);
    // A failure under a smaller memory limit is asked again; no limit counts as the largest.
    o.measure.address_space_bytes = size_t(8192) << 20;
    EXPECT_EQ(known("Adams2019"), nullptr);
    o.measure.address_space_bytes = 0;
    EXPECT_EQ(known("Adams2019"), nullptr);
    o.measure.address_space_bytes = size_t(2048) << 20;
    EXPECT_NE(known("Adams2019"), nullptr);
    // A failure with no recorded limit (-1) counts as the default 4096 MiB; one under no limit
    // (0) is never asked again for memory.
    std::vector<SeedFailure> unrecorded = {oom}, unlimited = {oom};
    unrecorded[0].memory_limit_mb = -1;
    unlimited[0].memory_limit_mb = 0;
    o.measure.address_space_bytes = size_t(4096) << 20;
    EXPECT_NE(known_seed_failure(unrecorded, "Adams2019", o), nullptr);
    o.measure.address_space_bytes = size_t(4097) << 20;
    EXPECT_EQ(known_seed_failure(unrecorded, "Adams2019", o), nullptr);
    o.measure.address_space_bytes = 0;
    EXPECT_NE(known_seed_failure(unlimited, "Adams2019", o), nullptr);
    // Another Halide: asked again. --retry-seeds: everything is asked.
    o.measure.address_space_bytes = size_t(4096) << 20;
    std::vector<SeedFailure> older = {oom};
    older[0].halide_version = "13.0.0-not-this-one";
    EXPECT_EQ(known_seed_failure(older, "Adams2019", o), nullptr);
    o.retry_seed_failures = true;
    EXPECT_EQ(known("Adams2019"), nullptr);
    EXPECT_EQ(known("Li2018"), nullptr);
}

// SeedProvider alone: the seeds of one workload in measuring order (imports, sketches, other
// parameters' best), a failing autoscheduler remembered with this run's limits and not asked
// again, and forgotten once it seeds.
TEST(SeedProviderTest, SeedsComeInMeasuringOrderAndAFailureIsRememberedUntilItSeeds) {
    Harness h;
    // An operator without a hand-written schedule, so the autoschedulers are the only imports.
    Workload w = make_workload("harris", true);
    ScheduleSpace space(w, h.env.target);
    std::vector<Schedule> sketches = space.sketches();
    ASSERT_GE(sketches.size(), 2u);
    std::mt19937_64 rng(7);
    Schedule imported = space.sample(rng), measured_import = space.sample(rng);
    // Another parameter setting's best schedule, stored as if tuned earlier.
    WorkloadSpec other = spec_of(w);
    for (auto &[k, v] : other.params)
        if (k == "W") v = std::to_string(std::stoi(v) + 2);
    Workload wo = make_workload(other);
    ASSERT_NE(wo.key(), w.key());
    ScheduleSpace other_space(wo, h.env.target);
    Schedule param_seed = space.sample(rng);
    for (int i = 0; i < 50 && !other_space.validate(param_seed).empty(); i++) param_seed = space.sample(rng);
    ASSERT_EQ(other_space.validate(param_seed), "");
    ASSERT_EQ(space.validate(param_seed), "");
    h.db->commit({make_record(wo, h.o.device_key, nlohmann::json(param_seed), schedule_hash(param_seed),
                              ok_result(1.0), "fake-features/1")});

    h.o.autoscheduler_seeds = {Candidate::autoscheduler("Mullapudi2016", "/x/m.so", {}),
                               Candidate::autoscheduler("Adams2019", "/x/a.so", {}),
                               Candidate::autoscheduler("Li2018", "/x/l.so", {})};
    h.o.measure.compile_timeout_s = 90;
    h.o.measure.address_space_bytes = size_t(4096) << 20;
    FlakyImporter importer;
    importer.schedule = imported;
    importer.by_name["Li2018"] = measured_import;
    importer.failure.status = Status::crash;
    importer.failure.error = "worker killed by signal 6\nbacktrace";
    h.runner.importer = std::ref(importer);
    const auto &asked = importer.asked;
    std::vector<std::string> notes;
    SeedProvider provider(h.o, h.runner, *h.db, [&](const std::string &n) { notes.push_back(n); });
    const std::set<std::string> measured = {schedule_hash(measured_import)};
    Seeds seeds = provider.seeds(w, space, measured);

    // Imports (the measured one only among `imported`), then every sketch, then the other
    // parameter's best.
    std::vector<std::string> want = {schedule_hash(imported)};
    for (const Schedule &s : sketches)
        if (!measured.count(schedule_hash(s))) want.push_back(schedule_hash(s));
    want.push_back(schedule_hash(param_seed));
    std::vector<std::string> got;
    for (const Schedule &s : seeds.queue) got.push_back(schedule_hash(s));
    EXPECT_EQ(got, want);
    ASSERT_EQ(seeds.imported.size(), 2u);
    EXPECT_EQ(schedule_hash(seeds.imported[1]), schedule_hash(measured_import));
    // The crash is a note and a remembered failure with this run's limits, first line only.
    auto failures = h.db->seed_failures(w.key(), h.o.device_key);
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0].autoscheduler, "Adams2019");
    EXPECT_EQ(failures[0].status, Status::crash);
    EXPECT_EQ(failures[0].error, "worker killed by signal 6");
    EXPECT_EQ(failures[0].limit_s, 90);
    EXPECT_EQ(failures[0].memory_limit_mb, 4096);
    int noted = 0;
    for (const auto &n : notes)
        noted += n.find("Adams2019 gave no seed (crash: worker killed by signal 6)") != std::string::npos;
    EXPECT_EQ(noted, 1);

    // Asked again: the failure keeps Adams2019 out; the others are asked in one call.
    provider.seeds(w, space, measured);
    ASSERT_EQ(asked.size(), 2u);
    EXPECT_EQ(asked[1], (std::vector<std::string>{"Mullapudi2016", "Li2018"}));
    // Switched off: no sketches, no other parameters' seeds.
    TuneOptions bare = h.o;
    bare.autoscheduler_seeds.clear();
    bare.sketch_seeds = false;
    bare.seeds_per_workload = 0;
    EXPECT_TRUE(SeedProvider(bare, h.runner, *h.db, nullptr).seeds(w, space, measured).queue.empty());
    // Once it seeds (under --retry-seeds), the failure is forgotten.
    importer.adams_works = true;
    h.o.retry_seed_failures = true;
    provider.seeds(w, space, measured);
    ASSERT_EQ(asked.size(), 3u);
    EXPECT_EQ(asked[2].size(), 3u);
    EXPECT_TRUE(h.db->seed_failures(w.key(), h.o.device_key).empty());
}

}  // namespace htune::test
