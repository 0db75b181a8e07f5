// `htune profile`: where one schedule of one workload spends its time, per Func, from Halide's
// own sampling profiler (Target::Profile). The answer to "why is this row slower than that one"
// that `compare` cannot give: compare times the whole pipeline.
//
// Halide's JIT prints one profiler report after every realize, each from ~1 ms samples, so one
// run of a sub-millisecond pipeline gets zero or one sample. The pipeline is therefore run for a
// given time and the reports are summed (ProfileAccumulator): a Func's share is its sampled time
// over all samples. The profiled code carries the profiler's bookkeeping, so its times are not
// compare's: the shares are the result, the times per run are for scale. The command is
// tuner/cmd/ProfileCommand.cpp.
#pragma once

#include <Halide.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/Workload.h"

namespace htune {

struct FuncProfile {
    std::string name;    // Halide's name: the Func's, or halide_malloc / halide_free
    double ms = 0;       // sampled time over all runs
    double share = 0;    // ms / the sum over every Func (0 when nothing was sampled)
    double threads = 0;  // average threads busy in it while sampled (0 when never sampled)
};

struct ProfileReport {
    std::string workload, schedule;
    std::string pipeline;  // the pipeline's name in the reports
    int runs = 0;          // realizes profiled (the reports summed)
    int samples = 0;
    double sampled_ms = 0;           // the reports' total time, summed
    double wall_s = 0;               // wall time of the profiled runs
    std::vector<FuncProfile> funcs;  // largest share first; ties by name
    double ms_per_run() const { return runs ? sampled_ms / runs : 0; }
};

// Sums the reports Halide's profiler prints (one per realize), in the order received; the
// text may arrive in pieces. A report is a pipeline name line, " total time: T ms  samples: S
// runs: R ...", then one "  NAME: T ms (P%) threads: X ..." line per Func.
class ProfileAccumulator {
public:
    void feed(const std::string &text);
    // The sums so far (the last line counted even without its newline).
    ProfileReport report() const;

private:
    void line(const std::string &l);
    std::string pending_, pipeline_;
    int runs_ = 0, samples_ = 0;
    double total_ms_ = 0;
    struct Sum {
        double ms = 0, thread_ms = 0;
    };
    std::map<std::string, Sum> funcs_;
};

// Compiles `p` (scheduled) for `target` with Halide's profiler, binds `inputs`, realizes into
// `outputs` once to warm up and then until `seconds` have passed (at least `min_runs` times),
// and sums the reports. Throws a halide Error when it does not compile or run.
ProfileReport profile_pipeline(Halide::Pipeline p, const std::vector<Halide::Buffer<>> &inputs,
                               std::vector<Halide::Buffer<>> &outputs, const Halide::Target &target,
                               double seconds, int min_runs = 20);

// Renames the Funcs found in `names` (Halide name -> the name to show; others keep theirs),
// merging any that now share a name.
void rename_funcs(ProfileReport &r, const std::map<std::string, std::string> &names);

// The table `htune profile` prints.
std::string format_profile(const ProfileReport &r);
nlohmann::json to_json(const ProfileReport &r);

}  // namespace htune
