// Candidate: what the Runner measures (a Schedule, Halide's default schedule, an autoscheduler,
// a library kernel), the Fault a test can inject into it, and ImportedCandidate, what an
// autoscheduler's schedule becomes in htune's space. Plain values; definitions in Candidate.cpp.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "measure/MeasureResult.h"
#include "schedules/Schedule.h"

namespace htune {

// Misbehaviour injected into one candidate inside its worker, for tests and demonstrations.
// crash: raise(SIGSEGV) when run; hang: spin forever when run; oom: allocate and touch memory
// until the worker's address-space limit stops it; wrong_output: perturb the output before it
// is compared with the reference; wrong_second_input: perturb it only on the second input set
// (a candidate that is right on the first input and wrong on another); compile_oom: run out of
// address space while compiling, as an autoscheduler's search can (a compile_error, and the
// worker is replaced: WorkerRunner).
enum class Fault { none, crash, hang, oom, wrong_output, wrong_second_input, compile_oom };

const char *to_string(Fault f);
// "crash" -> Fault::crash; throws a usage Error naming the bad kind and the valid ones.
Fault fault_from_string(const std::string &s);
// "crash,hang" -> {crash, hang}; empty string -> {}. Throws a usage Error for unknown or
// repeated kinds.
std::vector<Fault> parse_fault_list(const std::string &list);

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
    external,       // a library kernel computing the same output ("openblas" for matmul)
    as_written      // the schedule the algorithm's author wrote (Workload::build_as_written)
};
const char *to_string(CandidateKind k);
// "autoscheduler" -> CandidateKind::autoscheduler; throws a usage Error for an unknown kind.
CandidateKind candidate_kind_from_string(const std::string &s);

struct Candidate {
    CandidateKind kind = CandidateKind::schedule;
    Schedule schedule;             // kind == schedule
    std::string name;              // autoscheduler: plugin name ("Adams2019"); external: "openblas"
    std::string plugin_path;       // autoscheduler: the plugin library, loaded in the worker
    AutoschedulerMachine machine;  // autoscheduler: its MachineParams
    double run_timeout_s = 0;      // > 0: this candidate's run-job limit instead of run_timeout_s()
    double cutoff_ms = 0;          // > 0: its TimingPolicy::cutoff_ms (fewer runs when this slow)
    double compile_timeout_s = 0;  // > 0: its compile limit, when below MeasureOptions::compile_timeout_s
    Fault fault = Fault::none;

    static Candidate of(Schedule s, Fault f = Fault::none);
    static Candidate naive();
    static Candidate autoscheduler(std::string name, std::string plugin_path, AutoschedulerMachine m);
    static Candidate external(std::string name);
    static Candidate as_written();
};

// True when this htune was built with OpenBLAS (the "openblas" external candidate exists).
bool have_openblas();
// True when this htune was built with oneDNN (the "onednn" external candidate exists).
bool have_onednn();

// An autoscheduler's (or the author's, as_written) schedule brought into htune's space
// (import_autoschedules): status ok with the schedule and what had to be adapted, or the
// failure (compile_error, crash, timeout) with its error text.
struct ImportedCandidate {
    Status status = Status::ok;
    std::string error;
    Schedule schedule;
    std::vector<std::string> changes;
    double seconds = 0;  // the autoscheduler's run (plus the import)
};

// JSON of a Candidate and an ImportedCandidate, every field: what `htune tune --mpi` sends to a
// measurement host and gets back (measure/MpiFleet.h). from_json throws a usage Error naming a
// missing or bad field.
void to_json(nlohmann::json &j, const Candidate &c);
void from_json(const nlohmann::json &j, Candidate &c);
void to_json(nlohmann::json &j, const ImportedCandidate &c);
void from_json(const nlohmann::json &j, ImportedCandidate &c);

}  // namespace htune
