// The worker process: load a workload, compile candidates, run and time them (see Worker.h).
#include "measure/Worker.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "measure/Allocator.h"
#include "measure/BufferPlacement.h"
#include "measure/Check.h"
#include "measure/External.h"
#include "measure/Protocol.h"
#include "measure/Reference.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "ops/TypeDispatch.h"
#include "schedules/Apply.h"
#include "schedules/Import.h"
#include "schedules/Space.h"

namespace htune {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Compiled {
    Halide::Pipeline pipeline;
    Fault fault = Fault::none;
    double compile_s = 0;
    // Set for an external kernel: computes the outputs from input set k (external[k]) instead of
    // `pipeline`. One kernel per set: a library may prepare its inputs (oneDNN's weights) once.
    std::vector<std::function<void(std::vector<Halide::Buffer<>> &outputs)>> external;
};

// Sends this process's stdout and stderr to `path` while alive (an autoscheduler's chatter, or
// its last words before an abort, for the parent to quote); restores them afterwards.
class OutputToFile {
public:
    explicit OutputToFile(const std::string &path) {
        if (path.empty()) return;
        int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) return;
        fflush(stdout);
        fflush(stderr);
        saved_out_ = dup(STDOUT_FILENO);
        saved_err_ = dup(STDERR_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
        path_ = path;
    }
    ~OutputToFile() {
        if (path_.empty()) return;
        fflush(stdout);
        fflush(stderr);
        dup2(saved_out_, STDOUT_FILENO);
        dup2(saved_err_, STDERR_FILENO);
        close(saved_out_);
        close(saved_err_);
    }
    // What was written so far (last 1500 bytes).
    std::string tail() const {
        if (path_.empty()) return "";
        fflush(stdout);
        fflush(stderr);
        std::ifstream in(path_, std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        while (!text.empty() && std::isspace((unsigned char)text.back())) text.pop_back();
        if (text.size() > 1500) text = "..." + text.substr(text.size() - 1500);
        return text;
    }

private:
    std::string path_;
    int saved_out_ = -1, saved_err_ = -1;
};

// Allocates until the address-space limit makes allocation fail (std::bad_alloc), the way a
// candidate with a runaway allocation would. It touches one page per MiB, not every page: the
// limit is on address space, and faulting in gigabytes page by page takes tens of seconds on a
// busy VM, which would turn this fault into a timeout. Without a limit the kernel kills us.
[[noreturn]] void exhaust_memory() {
    std::vector<std::unique_ptr<char[]>> chunks;
    const size_t chunk = size_t(256) << 20, step = size_t(1) << 20;
    for (;;) {
        chunks.emplace_back(new char[chunk]);
        volatile char *p = chunks.back().get();
        for (size_t i = 0; i < chunk; i += step) p[i] = 1;  // volatile: the writes must happen
    }
}

template <typename T>
void perturb_typed(Halide::Buffer<T> b) {
    double scale = 0;
    b.for_each_value([&](const T &v) { scale = std::max(scale, std::abs((double)v)); });
    T &v = *b.data();  // the element at the minimum coordinates
    // Integers: exact comparison, so +1 is enough; floats: far beyond any relative tolerance.
    if constexpr (std::is_floating_point<T>::value)
        v = (T)(v + 1 + 2 * scale);
    else
        v = (T)(v + 1);
}

// Changes one element of the first output, for the wrong_output and wrong_second_input faults.
void perturb(Halide::Buffer<> &b) {
    Halide::Type t = b.type();
    if (!visit_type(t, [&](auto v) { perturb_typed<decltype(v)>(b); })) ((uint8_t *)b.data())[0] ^= 0xff;
}

// Keeps Halide's compile-time warnings ("Not folding Func ...") off the shared stderr, where
// they would clutter the parent's output, and returns them with the compile reply instead.
// Errors still throw, as Halide's default reporter does.
class WarningCollector : public Halide::CompileTimeErrorReporter {
public:
    void warning(const char *msg) override { warnings += msg; }
    void error(const char *msg) override { throw Halide::CompileError(msg); }
    std::string warnings;
};

class WorkerState {
public:
    WorkerState() { Halide::set_custom_compile_time_error_reporter(&reporter_); }
    ~WorkerState() { Halide::set_custom_compile_time_error_reporter(nullptr); }

    nlohmann::json load(const nlohmann::json &j) {
        compiled_.clear();
        workload_.reset();
        try {
            LoadJob job = load_job_from_json(j);
            target_ = parse_target(job.target);
            auto w = std::make_unique<Workload>(make_workload(job.workload));
            spec_ = job.workload;
            // Placed once, apart from each other, and shared by every candidate of this
            // workload: the same addresses for all of them (BufferPlacement.h says why). Set 0
            // is checked and timed, set 1 only checked (Check.h).
            arena_.clear();
            inputs_.clear();
            seeds_.clear();
            for (int k = 0; k < kInputSets; k++) {
                seeds_.push_back(input_set_seed(job.seed, k));
                inputs_.push_back(arena_.place(w->make_inputs(seeds_.back())));
            }
            outputs_ = arena_.place(w->make_outputs());
            reference_ = read_reference_outputs(job.reference_path, *w);
            threads_ = job.threads;
            workload_ = std::move(w);
            return load_reply(true, threads_, "");
        } catch (const std::exception &e) {
            return load_reply(false, threads_, e.what());
        }
    }

    nlohmann::json compile(const nlohmann::json &j) {
        CompileJob job = compile_job_from_json(j);
        if (!workload_) return compile_reply(job.id, Status::compile_error, 0, "no workload loaded");
        auto t0 = std::chrono::steady_clock::now();
        reporter_.warnings.clear();
        std::unique_ptr<OutputToFile> capture;
        try {
            // Each kind builds its own pipeline: as_written and external ones never need the
            // canonical one.
            Compiled c{Halide::Pipeline(), job.fault, 0, {}};
            if (job.kind == CandidateKind::schedule || job.kind == CandidateKind::naive ||
                job.kind == CandidateKind::autoscheduler)
                c.pipeline = workload_->build();
            if (job.fault == Fault::compile_oom) exhaust_memory();  // as an autoscheduler's search can
            switch (job.kind) {
                case CandidateKind::schedule: {
                    Schedule s;
                    try {
                        s = job.schedule.get<Schedule>();
                    } catch (const nlohmann::json::exception &e) {
                        throw_usage(std::string("invalid schedule JSON: ") + e.what());
                    }
                    apply_schedule(s, c.pipeline, target_);
                    break;
                }
                case CandidateKind::naive:
                    break;  // Halide's defaults: every Func inlined, outputs at the root
                case CandidateKind::autoscheduler: {
                    // In this process, so that a plugin that aborts or hangs costs a worker.
                    capture = std::make_unique<OutputToFile>(job.log);
                    if (plugins_.insert(job.plugin).second) Halide::load_plugin(job.plugin);
                    Halide::MachineParams mp(job.machine.parallelism, job.machine.last_level_cache_bytes,
                                             (float)job.machine.balance);
                    c.pipeline.auto_schedule(job.name, target_, mp);
                    capture.reset();
                    if (job.import_schedule) return import_reply(job.id, c.pipeline, ImportNames::stable, t0);
                    break;
                }
                case CandidateKind::as_written:
                    c.pipeline = workload_->build_as_written();
                    if (!c.pipeline.defined())
                        throw_usage(workload_->canonical() + " has no schedule of its own (as_written)");
                    if (job.import_schedule)
                        return import_reply(job.id, c.pipeline, ImportNames::as_written, t0);
                    break;
                case CandidateKind::external:
                    for (const auto &set : inputs_)
                        c.external.push_back(external_kernel(job.name, spec_, set, threads_));
                    break;
            }
            if (c.external.empty()) {
                c.pipeline.compile_jit(target_);
                bind_inputs(c.pipeline, inputs_[0]);
            }
            c.compile_s = seconds_since(t0);
            double compile_s = c.compile_s;
            compiled_.erase(job.id);
            compiled_.emplace(job.id, std::move(c));
            return compile_reply(job.id, Status::ok, compile_s, "", reporter_.warnings);
        } catch (const Halide::Error &e) {
            return compile_reply(job.id, Status::compile_error, seconds_since(t0),
                                 with_output(e.what(), capture), reporter_.warnings);
        } catch (const std::bad_alloc &e) {
            // Out of address space (an autoscheduler's search, LLVM): this process may be left
            // without room or in a broken state (every later compile failed "mprotect failed"),
            // so the reply asks the runner for a fresh worker.
            nlohmann::json reply = compile_reply(
                job.id, Status::compile_error, seconds_since(t0),
                with_output(std::string(e.what()) + " (out of memory under the worker's address-space limit)",
                            capture),
                reporter_.warnings);
            reply["restart"] = true;
            return reply;
        } catch (const std::exception &e) {  // htune::Error from apply_schedule: invalid schedule
            return compile_reply(job.id, Status::compile_error, seconds_since(t0),
                                 with_output(e.what(), capture), reporter_.warnings);
        }
    }

    nlohmann::json run(const nlohmann::json &j) {
        RunJob job = run_job_from_json(j);
        MeasureResult r;
        r.threads = threads_;
        auto it = compiled_.find(job.id);
        if (it == compiled_.end()) {
            r.status = Status::runtime_error;
            r.error = "candidate " + std::to_string(job.id) + " was not compiled by this worker";
            return run_reply(job.id, r);
        }
        Compiled c = std::move(it->second);
        compiled_.erase(it);  // one run job per compile: free the JIT code afterwards
        r.compile_s = c.compile_s;
        run_candidate(c, job.timing, r);
        return run_reply(job.id, r);
    }

private:
    // The schedule left on `scheduled` in htune's space, as the reply to an import job.
    nlohmann::json import_reply(int id, const Halide::Pipeline &scheduled, ImportNames names,
                                std::chrono::steady_clock::time_point t0) {
        ScheduleSpace space(*workload_, target_);
        ImportedSchedule im = import_schedule(scheduled, space, names);
        nlohmann::json reply = compile_reply(id, Status::ok, seconds_since(t0), "");
        reply["schedule"] = im.schedule;
        reply["changes"] = im.changes;
        return reply;
    }

    // An error message plus what the autoscheduler printed before failing, if anything.
    static std::string with_output(const std::string &error, const std::unique_ptr<OutputToFile> &capture) {
        std::string out = capture ? capture->tail() : "";
        return out.empty() ? error : error + "\n(autoscheduler output: " + out + ")";
    }

    void run_candidate(Compiled &c, const TimingPolicy &timing, MeasureResult &r) {
        std::vector<Halide::Buffer<>> &outs = outputs_;
        std::vector<Halide::Buffer<>> outs_arg = outs;
        Halide::Realization realization(outs_arg);
        int set = 0;  // the input set the pipeline is bound to
        auto use_set = [&](int k) {
            if (c.external.empty() && k != set) bind_inputs(c.pipeline, inputs_[k]);
            set = k;
        };
        auto realize = [&] {
            if (!c.external.empty())
                c.external[set](outs);
            else
                c.pipeline.realize(realization, target_);
        };
        try {
            if (c.fault == Fault::crash) raise(SIGSEGV);
            if (c.fault == Fault::hang)
                for (volatile bool forever = true; forever;) {
                }
            if (c.fault == Fault::oom) exhaust_memory();
            // Every input set is checked (each time on outputs overwritten with 0xff first), set 0
            // first; the timed runs are on set 0.
            auto checked_run = [&](int k) {
                use_set(k);
                realize();
                bool wrong = (c.fault == Fault::wrong_output && k == 0) ||
                             (c.fault == Fault::wrong_second_input && k == 1);
                if (wrong) perturb(outs[0]);
            };
            CheckResult check = check_input_sets(checked_run, outs, reference_, seeds_,
                                                 workload_->tolerance(), workload_->integer_tolerance());
            use_set(0);
            r.max_error = check.max_error;
            if (!check.ok) {
                r.status = Status::wrong_output;
                r.error = check.error;
                return;
            }
            TimingStats s = time_repeats(timing, realize);
            r.min_ms = s.min_ms;
            r.median_ms = s.median_ms;
            r.spread = s.spread;
            r.repeats = s.repeats;
        } catch (const Halide::Error &e) {
            r.status = Status::runtime_error;
            r.error = e.what();
        } catch (const std::bad_alloc &) {
            r.status = Status::runtime_error;
            r.error = "out of memory (allocation failed under the worker's address-space limit)";
        } catch (const std::exception &e) {
            r.status = Status::runtime_error;
            r.error = e.what();
        }
    }

    std::unique_ptr<Workload> workload_;
    Halide::Target target_;
    BufferArena arena_;                                     // owns inputs_ and outputs_
    std::vector<std::vector<Halide::Buffer<>>> inputs_;     // per input set
    std::vector<Halide::Buffer<>> outputs_;                 // shared by the sets
    std::vector<std::vector<Halide::Buffer<>>> reference_;  // per input set
    std::vector<uint64_t> seeds_;                           // per input set
    int threads_ = 0;
    std::map<int, Compiled> compiled_;
    WarningCollector reporter_;
    WorkloadSpec spec_;
    std::set<std::string> plugins_;  // autoscheduler plugins loaded into this process
};

}  // namespace

bool write_json_line(int fd, const std::string &line) {
    std::string data = line + "\n";
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += (size_t)n;
    }
    return true;
}

int run_worker(std::istream &in, int out_fd) {
    WorkerState state;
    std::string line;
    while (std::getline(in, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        nlohmann::json reply;
        try {
            nlohmann::json j = nlohmann::json::parse(line);
            std::string kind = j.is_object() ? j.value("job", std::string()) : std::string();
            if (kind == "load")
                reply = state.load(j);
            else if (kind == "compile")
                reply = state.compile(j);
            else if (kind == "run")
                reply = state.run(j);
            else
                reply = error_reply("unknown job '" + kind + "' (expected load, compile or run)");
        } catch (const std::exception &e) {
            reply = error_reply(std::string("bad job line: ") + e.what());
        }
        if (!write_json_line(out_fd, reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)))
            return 1;
    }
    return 0;
}

namespace {

// An idle worker ends with its parent (EOF on stdin), but a busy one would not look at stdin
// until its candidate ends: a tuner killed mid-batch left a worker running a lens blur
// candidate for 13 minutes, reparented to init. So a thread watches the parent: once the worker
// is reparented, it exits within half a second, whatever it is doing.
void exit_when_orphaned() {
    const char *env = getenv(kWorkerParentEnv);
    pid_t parent = env ? (pid_t)atol(env) : getppid();
    std::thread([parent] {
        while (getppid() == parent) std::this_thread::sleep_for(std::chrono::milliseconds(500));
        _exit(3);
    }).detach();
}

}  // namespace

int run_worker_stdio() {
    // A Ctrl-C on the terminal reaches the whole process group: the tuner finishes the batch in
    // flight and stops (tune's signal handling), so its workers must not die mid-candidate and
    // turn that batch into crashes. A worker still ends when the tuner does (EOF on stdin), or
    // dies (exit_when_orphaned).
    signal(SIGINT, SIG_IGN);
    exit_when_orphaned();
    // Every candidate timed with the heap in the same steady state (measure/Allocator.h).
    if (!use_steady_state_allocator())
        std::cerr << "htune worker: the C library refused the steady-state allocator policy; times of "
                     "schedules with large intermediates may depend on the worker's history\n";
    int proto = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (proto < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
        throw Error(ErrorKind::internal, std::string("worker: cannot set up stdout: ") + strerror(errno));
    std::cout.flush();
    int rc = run_worker(std::cin, proto);
    close(proto);
    return rc;
}

}  // namespace htune
