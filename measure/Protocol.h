// The worker protocol: one JSON object per line on the worker's stdin (jobs) and stdout
// (one reply per job). Jobs: load (the workload), compile (a candidate), run (time it).
// Parent side: WorkerRunner.cpp; child side: Worker.cpp.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "measure/Candidate.h"
#include "measure/MeasureResult.h"
#include "measure/Timing.h"
#include "ops/OpRegistry.h"

namespace htune {

// {"job":"load","workload":{WorkloadSpec},"seed":1,"reference":"/tmp/.../reference.bin",
//  "target":"host","threads":2}
// The worker makes kInputSets input sets, with seeds input_set_seed(seed, k) (Reference.h). The
// reference file holds the raw bytes of every output buffer of the reference run on set 0, in
// output order, each dense as allocated by Workload::make_outputs(), then the same for set 1.
struct LoadJob {
    WorkloadSpec workload;
    uint64_t seed = 1;
    std::string reference_path;
    std::string target = "host";
    int threads = 1;
};

// {"job":"compile","id":7,"kind":"schedule","schedule":{Schedule JSON},"fault":"none"}
// {"job":"compile","id":8,"kind":"naive"}
// {"job":"compile","id":9,"kind":"autoscheduler","name":"Adams2019","plugin":"/usr/lib/...so",
//  "machine":{"parallelism":2,"last_level_cache":33554432,"balance":40},"log":"/tmp/.../9.log"}
// {"job":"compile","id":10,"kind":"external","name":"openblas"}
// {"job":"compile","id":11,"kind":"as_written"}: the algorithm built with its author's schedule
// "kind" defaults to "schedule". The schedule stays raw JSON so that a malformed one is
// reported by the worker as that candidate's compile_error rather than failing the protocol.
// "import": true (autoscheduler and as_written): run the plugin (or build as written), then
// translate the schedule it left into htune's space (schedules/Import.h) and reply with it
// instead of compiling; nothing is run.
// "log": where the worker sends whatever the autoscheduler prints (stdout and stderr) while it
// runs, so that the parent can quote it when the plugin aborts the worker.
struct CompileJob {
    int id = 0;
    nlohmann::json schedule;
    Fault fault = Fault::none;
    CandidateKind kind = CandidateKind::schedule;  // after the original fields: aggregate-init compatible
    std::string name, plugin, log;
    AutoschedulerMachine machine;
    bool import_schedule = false;  // autoscheduler, as_written: reply with the imported schedule
};

// {"job":"run","id":7,"timing":{TimingPolicy}}
struct RunJob {
    int id = 0;
    TimingPolicy timing;
};

nlohmann::json to_job_json(const LoadJob &j);
nlohmann::json to_job_json(const CompileJob &j);
nlohmann::json to_job_json(const RunJob &j);
// Parse the job line payloads; throw a usage Error naming the missing or bad field.
LoadJob load_job_from_json(const nlohmann::json &j);
CompileJob compile_job_from_json(const nlohmann::json &j);
RunJob run_job_from_json(const nlohmann::json &j);

// Replies.
// load:    {"job":"load","ok":true,"threads":2} | {"job":"load","ok":false,"error":"..."}
// compile: {"job":"compile","id":7,"status":"ok"|"compile_error","compile_s":0.4,"error":"",
//           "warnings":"Halide's compile-time warnings, if any"}
//          with "import": also "schedule":{Schedule JSON},"changes":["what was adapted", ...]
// run:     {"job":"run","id":7,"result":{MeasureResult JSON}}
// a malformed or unknown job: {"job":"error","error":"..."}
nlohmann::json load_reply(bool ok, int threads, const std::string &error);
nlohmann::json compile_reply(int id, Status status, double compile_s, const std::string &error,
                             const std::string &warnings = "");
nlohmann::json run_reply(int id, const MeasureResult &r);
nlohmann::json error_reply(const std::string &error);

}  // namespace htune
