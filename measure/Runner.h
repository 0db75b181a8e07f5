// Runner: the measurement seam. Takes a batch of candidate schedules for one workload and
// returns one MeasureResult per candidate. Start here; the real implementation (isolated worker
// processes, WorkerRunner.cpp) is behind make_worker_runner, the test double in tests/support/FakeRunner.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "measure/MeasureResult.h"
#include "ops/Workload.h"
#include "schedules/Schedule.h"

namespace htune {

// Misbehaviour injected into one candidate inside its worker, for tests and demonstrations.
// crash: raise(SIGSEGV) when run; hang: spin forever when run; oom: allocate and touch memory
// until the worker's address-space limit stops it; wrong_output: perturb the output before it
// is compared with the reference.
enum class Fault { none, crash, hang, oom, wrong_output };

const char *to_string(Fault f);
// "crash" -> Fault::crash; throws a usage Error naming the bad kind and the valid ones.
Fault fault_from_string(const std::string &s);
// "crash,hang" -> {crash, hang}; empty string -> {}. Throws a usage Error for unknown or
// repeated kinds.
std::vector<Fault> parse_fault_list(const std::string &list);

// The workers' default address-space limit (--memory-limit-mb 4096).
constexpr size_t kDefaultAddressSpaceBytes = size_t(4) << 30;

struct MeasureOptions {
    int workers = 2;                 // worker processes; compiles run in parallel across them
    int threads = 0;                 // Halide thread count for candidate runs; 0 = hardware cores
    int warmup = 1;                  // untimed runs after the (untimed) correctness run
    int min_repeats = 5;             // timed runs: at least this many ...
    double min_seconds = 0.2;        // ... and at least this much total timed wall time (seconds)
    int max_repeats = 10000;         // hard cap on timed runs, for very fast kernels
    double compile_timeout_s = 120;  // per compile (fresh pipeline + apply + JIT), seconds
    // A run job (correctness run + warm-up + timed repeats) may take at most
    // max(run_timeout_floor_s, run_timeout_factor * reference_s * (2 + warmup + min_repeats))
    // + min_seconds, where reference_s is one run of the reference schedule (see
    // run_timeout_s()).
    double run_timeout_factor = 10;
    double run_timeout_floor_s = 2;
    size_t address_space_bytes = kDefaultAddressSpaceBytes;  // RLIMIT_AS of each worker, bytes; 0 = none
    uint64_t input_seed = 1;      // seed of the synthesized inputs (Workload::make_inputs)
    std::string target = "host";  // Halide target string for the JIT
    std::string worker_exe;       // the `htune` binary; empty = this process (/proc/self/exe)
};

// The wall-clock limit (seconds) of one run job, given one reference run of `reference_s`.
double run_timeout_s(const MeasureOptions &o, double reference_s);
// The Halide thread count a runner with `o` uses (resolves threads == 0 to the core count).
int resolved_threads(const MeasureOptions &o);

// Halide's MachineParams for the autoschedulers: parallelism, last-level cache, balance.
struct AutoschedulerMachine {
    int parallelism = 1;                  // cores the schedule may use
    uint64_t last_level_cache_bytes = 0;  // bytes
    double balance = 40;                  // Halide's default load/compute cost ratio
};

// What one Candidate measures. All kinds go through the same protocol: compiled in an isolated
// worker, output compared with the reference, timed with the same TimingPolicy.
enum class CandidateKind {
    schedule,       // a Schedule value (apply_schedule)
    naive,          // Halide's default schedule: nothing applied (everything inlined)
    autoscheduler,  // a fresh pipeline scheduled by one of Halide's autoscheduler plugins
    external        // a library kernel computing the same output ("openblas" for matmul)
};
const char *to_string(CandidateKind k);

struct Candidate {
    CandidateKind kind = CandidateKind::schedule;
    Schedule schedule;             // kind == schedule
    std::string name;              // autoscheduler: plugin name ("Adams2019"); external: "openblas"
    std::string plugin_path;       // autoscheduler: the plugin library, loaded in the worker
    AutoschedulerMachine machine;  // autoscheduler: its MachineParams
    double run_timeout_s = 0;      // > 0: this candidate's run-job limit instead of run_timeout_s()
    Fault fault = Fault::none;

    static Candidate of(Schedule s, Fault f = Fault::none);
    static Candidate naive();
    static Candidate autoscheduler(std::string name, std::string plugin_path, AutoschedulerMachine m);
    static Candidate external(std::string name);
};

// True when this htune was built with OpenBLAS (the "openblas" external candidate exists).
bool have_openblas();

// An autoscheduler's schedule brought into htune's space (import_autoschedules): status ok with
// the schedule and what had to be adapted, or the autoscheduler's failure (compile_error,
// crash, timeout) with its error text.
struct ImportedCandidate {
    Status status = Status::ok;
    std::string error;
    Schedule schedule;
    std::vector<std::string> changes;
    double seconds = 0;  // the autoscheduler's run (plus the import)
};

class Runner {
public:
    virtual ~Runner() = default;

    // Measures every schedule of `batch` on workload `w`, returning one result per schedule in
    // batch order. Schedules are measured as given (no dedup, no cache), so the same call
    // re-measures a list of known schedules, e.g. to confirm the best ones at the end of a run.
    // `faults` is empty or has one entry per schedule. A failed candidate is a result status;
    // the call throws htune::Error only when the workload itself cannot be set up (its
    // reference fails, no worker can start). Not thread-safe: one batch at a time.
    virtual std::vector<MeasureResult> measure(const Workload &w, const std::vector<Schedule> &batch,
                                               const std::vector<Fault> &faults = {}) = 0;

    // Like measure() for candidates of any kind, in batch order. A candidate that cannot be
    // built (an autoscheduler that throws, aborts or hangs; an external kernel that does not
    // apply to the workload) is a result status with its error text. The default handles
    // schedule candidates through measure() and reports the other kinds as compile_error.
    virtual std::vector<MeasureResult> measure_candidates(const Workload &w,
                                                          const std::vector<Candidate> &batch);

    // Runs each autoscheduler candidate's plugin on `w` in isolation (a plugin that aborts or
    // hangs costs a worker) and translates the schedule it makes into htune's space
    // (schedules/Import.h), without compiling or timing it: the seeds of a tuning run. One
    // entry per candidate. The default reports every candidate as compile_error.
    virtual std::vector<ImportedCandidate> import_autoschedules(const Workload &w,
                                                                const std::vector<Candidate> &autoschedulers);

    // One run of the workload's reference schedule (every Func compute_root), seconds,
    // computing the reference when needed; 0 when this runner does not know.
    virtual double reference_seconds(const Workload &w) { return 0; }
};

// Isolated worker processes (`htune worker`), parallel compile, one timed run at a time.
std::unique_ptr<Runner> make_worker_runner(const MeasureOptions &options);

}  // namespace htune
