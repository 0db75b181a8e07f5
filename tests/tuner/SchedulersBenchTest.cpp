// ./bench_schedulers.py (issue 27's weighted vs round-robin benchmark) and its section in
// ./bench_report.py, run against a fake htune that writes known model-latency curves: the runs
// alternate, the levels and the ratio of the medians are computed from the curves, the binary is
// pinned, the peak is recorded, and the report renders.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/RunCommand.h"

namespace htune {
namespace {

using test::CommandResult;
using test::read_file;
using test::run_shell;
using test::temp_dir;

// A stand-in for `htune tune`: appends its scheduler to $DIR/order, and writes a summary whose
// model curve starts at 100 s with 80 ms and reaches 20 ms after 100 s of tuning (weighted) or
// 200 s (round-robin), plus 10 s in the second repeat of each.
const char *kFakeHtune = R"(#!/usr/bin/env python3
import json, os, sys
a = sys.argv[1:]
arg = lambda k: a[a.index(k) + 1]
s, out = arg("--scheduler"), arg("--json")
d = os.path.dirname(out)
with open(os.path.join(d, "order"), "a") as f:
    f.write(s + "\n")
extra = 10 if os.path.exists(os.path.join(d, "seen-" + s)) else 0
open(os.path.join(d, "seen-" + s), "w").close()
span = (100 if s == "weighted" else 200) + extra
curve = [{"elapsed_s": 100 + span * i / 4, "ms": 80 * 0.25 ** (i / 4)} for i in range(5)]
json.dump({"elapsed_s": 100 + span + 5, "model": {"curve": curve, "best_ms": 20, "heuristic_ms": 90},
           "workloads": [{"workload": "conv:x", "trials_this_run": 8}]}, open(out, "w"))
)";

TEST(SchedulersBenchTest, RepeatsAlternateAndTheRatioIsOfTheMedianTuningTimes) {
    std::string dir = temp_dir();
    std::ofstream(dir + "/htune") << kFakeHtune;
    std::ofstream(dir + "/peak") << "#!/bin/sh\necho '{\"peak_gflops\": 234.5, \"bandwidth_gbs\": 40.0, "
                                    "\"fma_isa\": \"avx512f\", \"threads\": 2}'\n";
    run_shell("chmod +x " + dir + "/htune " + dir + "/peak");
    CommandResult r = run_shell("python3 " + std::string(HTUNE_SOURCE_DIR) +
                                "/bench_schedulers.py --model m.json --time-budget 5m --repeats 2 --htune " +
                                dir + "/htune --peak-tool " + dir + "/peak --keep " + dir + "/work --json " +
                                dir + "/out.json -- --confirm 0");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Weighted first in the first repeat, round-robin first in the second; the pinned copy ran.
    EXPECT_EQ(read_file(dir + "/work/order"), "weighted\nround-robin\nround-robin\nweighted\n");
    EXPECT_NE(r.err.find(dir + "/work/htune tune --workloads m.json --scheduler weighted"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("--confirm 0"), std::string::npos);

    nlohmann::json j = nlohmann::json::parse(read_file(dir + "/out.json"));
    EXPECT_EQ(j["format"], "htune-bench-schedulers/2");
    EXPECT_EQ(j["repeats"], 2);
    EXPECT_DOUBLE_EQ(j["machine"]["before"]["peak_gflops"].get<double>(), 234.5);
    EXPECT_DOUBLE_EQ(j["machine"]["after"]["threads"].get<double>(), 2);
    ASSERT_EQ(j["runs"]["weighted"].size(), 2u);
    ASSERT_EQ(j["runs"]["round-robin"].size(), 2u);
    // Levels from 80 ms (first points) to 20 ms (final points); at each level the fake curves'
    // tuning times are span x i / 4, so the ratio of the medians is (100 + 5) / (200 + 5).
    const auto &levels = j["levels"];
    ASSERT_EQ(levels.size(), 8u);
    EXPECT_NEAR(levels.back()["latency_ms"].get<double>(), 20, 1e-9);
    for (const auto &l : levels) {
        ASSERT_EQ(l["weighted_tuning_s"].size(), 2u);
        ASSERT_FALSE(l["ratio"].is_null());
        EXPECT_NEAR(l["ratio"].get<double>(), 105.0 / 205.0, 1e-9) << l.dump();
        EXPECT_NEAR(l["round_robin_s"][0].get<double>() - l["round_robin_tuning_s"][0].get<double>(), 100,
                    1e-9);
    }
    EXPECT_NEAR(levels.back()["weighted_tuning_s"][1].get<double>(), 110, 1e-9);
    EXPECT_EQ(read_file(dir + "/out.svg").find("<svg"), 0u);

    // bench_report.py renders it: the peaks, a row per run, and the ratio.
    CommandResult md =
        run_shell("cd " + std::string(HTUNE_SOURCE_DIR) +
                  " && python3 -B -c \"import json, sys, bench_report; print('\\n'.join("
                  "bench_report.schedulers_section_repeated(json.load(open(sys.argv[1])))))\" " +
                  dir + "/out.json");
    ASSERT_EQ(md.exit_code, 0) << md.err;
    EXPECT_NE(md.out.find("Machine before the runs: peak 234.5 GFLOP/s"), std::string::npos) << md.out;
    EXPECT_NE(md.out.find("| round-robin | 2 | 80 | 20 | 90 | 4.50x | 100 | 315 |"), std::string::npos)
        << md.out;
    EXPECT_NE(md.out.find("| 20 | 100, 110 | 200, 210 | 0.51 |"), std::string::npos) << md.out;

    // --repeats 0 is one error line.
    r = run_shell("python3 " + std::string(HTUNE_SOURCE_DIR) +
                  "/bench_schedulers.py --model m.json --time-budget 5m "
                  "--repeats 0 --json " +
                  dir + "/bad.json");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--repeats must be at least 1"), std::string::npos) << r.err;
    run_shell("rm -rf " + dir);
}

}  // namespace
}  // namespace htune
