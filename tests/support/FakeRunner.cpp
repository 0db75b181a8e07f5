// FakeRunner (see FakeRunner.h).
#include "tests/support/FakeRunner.h"

#include "ops/Error.h"

namespace htune {

MeasureResult fake_measure(const Workload &, const Schedule &s, Fault fault) {
    MeasureResult r;
    r.threads = 1;
    r.compile_s = 0.001;
    switch (fault) {
        case Fault::none:
            break;
        case Fault::crash:
            r.status = Status::crash;
            r.error = "worker killed by signal 11 (fake)";
            return r;
        case Fault::hang:
            r.status = Status::timeout;
            r.error = "run did not finish (fake)";
            return r;
        case Fault::oom:
            r.status = Status::runtime_error;
            r.error = "out of memory (fake)";
            return r;
        case Fault::compile_oom:
            r.status = Status::compile_error;
            r.error = "std::bad_alloc (out of memory under the worker's address-space limit) (fake)";
            return r;
        case Fault::wrong_output:
        case Fault::wrong_second_input:
            r.status = Status::wrong_output;
            r.max_error = 1;
            r.error = "output differs from the reference: max abs error 1 (fake)";
            return r;
    }
    // 1.000 .. 2.023 ms from the first hex digits of the hash: stable across runs and builds.
    unsigned long h = std::stoul(schedule_hash(s).substr(0, 3), nullptr, 16);
    r.min_ms = 1.0 + (double)(h % 1024) / 1000.0;
    r.median_ms = r.min_ms * 1.01;
    r.spread = 0.02;
    r.repeats = 5;
    return r;
}

FakeRunner::FakeRunner(Function fn) : fn_(std::move(fn)) {}
FakeRunner::FakeRunner() : fn_(fake_measure) {}

std::vector<MeasureResult> FakeRunner::measure_candidates(const Workload &w,
                                                          const std::vector<Candidate> &batch) {
    std::vector<MeasureResult> out(batch.size());
    std::vector<std::string> hashes;
    for (size_t i = 0; i < batch.size(); i++) {
        const Candidate &c = batch[i];
        if (c.run_timeout_s > 0) run_timeouts_.push_back(c.run_timeout_s);
        if (c.cutoff_ms > 0) cutoffs_.push_back(c.cutoff_ms);
        if (c.kind != CandidateKind::schedule) {
            out[i].status = Status::compile_error;
            out[i].error = std::string("this runner cannot measure ") + to_string(c.kind) + " candidates";
            continue;
        }
        if (c.compile_timeout_s > 0) compile_timeouts_.push_back(c.compile_timeout_s);
        out[i] = fn_(w, c.schedule, c.fault);
        if (c.compile_timeout_s > 0 && out[i].compile_s > c.compile_timeout_s) {
            out[i] = MeasureResult{};
            out[i].status = Status::timeout;
            out[i].compile_s = c.compile_timeout_s;
            out[i].error = "compile did not finish within the limit (fake)";
        }
        hashes.push_back(schedule_hash(c.schedule));
        measured_++;
    }
    batches_.push_back(std::move(hashes));
    return out;
}

}  // namespace htune
