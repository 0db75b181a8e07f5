// The real Runner: isolated `htune worker` processes, parallel compile (one oneTBB task per
// worker), then every run one at a time with no compile in flight; faults become statuses.
#include <dirent.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iomanip>
#include <sstream>

#include "measure/Protocol.h"
#include "measure/Reference.h"
#include "measure/Runner.h"
#include "measure/WorkerProcess.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"

extern char **environ;

namespace htune {

namespace {

std::string seconds_text(double s) {
    std::ostringstream os;
    os << std::fixed << std::setprecision(2) << s << " s";
    return os.str();
}

std::string self_exe() {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) throw Error(ErrorKind::internal, "cannot find the htune binary (/proc/self/exe)");
    return std::string(buf, (size_t)n);
}

// Where a candidate of the current batch was compiled, so its run goes to the same worker.
struct Slot {
    bool compiled = false;
    int worker = -1, generation = -1, id = -1;
};

class WorkerRunner : public Runner {
public:
    explicit WorkerRunner(const MeasureOptions &o) : opt_(o) {
        validate(opt_);
        exe_ = opt_.worker_exe.empty() ? self_exe() : opt_.worker_exe;
        if (access(exe_.c_str(), X_OK) != 0)
            throw_usage("measure: worker binary '" + exe_ + "' is not executable");
        threads_ = resolved_threads(opt_);
        for (char **e = environ; *e; e++)
            if (std::string(*e).rfind("HL_NUM_THREADS=", 0) != 0) env_.push_back(*e);
        // The JIT runtime sizes its thread pool from this when the child's first run starts:
        // internal plumbing of our own child, not user configuration.
        env_.push_back("HL_NUM_THREADS=" + std::to_string(threads_));
        for (int k = 0; k < opt_.workers; k++)
            workers_.push_back(std::make_unique<WorkerProcess>(exe_, env_, opt_.address_space_bytes));
    }

    ~WorkerRunner() override {
        workers_.clear();  // stops and reaps every child
        remove_reference();
    }

    double reference_seconds(const Workload &w) override {
        prepare(w);
        return reference_s_;
    }

    std::vector<ImportedCandidate> import_autoschedules(const Workload &w,
                                                        const std::vector<Candidate> &batch) override {
        std::vector<ImportedCandidate> out(batch.size());
        if (batch.empty()) return out;
        prepare(w);
        std::vector<MeasureResult> results(batch.size());
        std::vector<Slot> slots(batch.size());
        for (size_t i = 0; i < batch.size(); i++)
            if (batch[i].kind != CandidateKind::autoscheduler && batch[i].kind != CandidateKind::as_written)
                throw Error(ErrorKind::internal,
                            "import_autoschedules: candidate is neither an autoscheduler nor as_written");
        for_each_worker(batch.size(),
                        [&](int k, size_t i) { compile(k, batch[i], results[i], slots[i], &out[i]); });
        for (size_t i = 0; i < batch.size(); i++) {
            if (results[i].status != Status::ok) {
                out[i].status = results[i].status;
                out[i].error = results[i].error;
            }
            out[i].seconds = results[i].compile_s;
        }
        return out;
    }

    std::vector<MeasureResult> measure_candidates(const Workload &w,
                                                  const std::vector<Candidate> &batch) override {
        if (batch.empty()) return {};
        prepare(w);
        std::vector<MeasureResult> results(batch.size());
        std::vector<Slot> slots(batch.size());
        for (auto &r : results) r.threads = threads_;

        // Phase 1: compile in parallel.
        for_each_worker(batch.size(), [&](int k, size_t i) { compile(k, batch[i], results[i], slots[i]); });

        // Phase 2: time one candidate at a time; nothing else is compiling or running.
        const double run_limit = run_timeout_s(opt_, reference_s_);
        for (size_t i = 0; i < batch.size(); i++) {
            if (!slots[i].compiled) continue;
            WorkerProcess &wp = *workers_[slots[i].worker];
            if (!wp.running() || wp.generation() != slots[i].generation) {
                // Its worker died (another candidate crashed it) and took the code with it.
                compile(slots[i].worker, batch[i], results[i], slots[i]);
                if (!slots[i].compiled) continue;
            }
            run(wp, slots[i], batch[i].run_timeout_s > 0 ? batch[i].run_timeout_s : run_limit,
                batch[i].cutoff_ms, results[i]);
        }
        return results;
    }

private:
    // Calls fn(worker, item) for items 0..n-1, one oneTBB task per worker feeding it from a shared
    // queue. The tasks mostly wait on pipes, so the arena gets one slot per worker even on 2 cores.
    void for_each_worker(size_t n, const std::function<void(int, size_t)> &fn) {
        const int nw = std::max(1, std::min<int>(opt_.workers, (int)n));
        std::atomic<size_t> next{0};
        size_t allowed = tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
        tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism,
                                        std::max<size_t>(allowed, (size_t)nw));
        tbb::task_arena arena(nw);
        arena.execute([&] {
            tbb::parallel_for(
                0, nw,
                [&](int k) {
                    for (size_t i; (i = next++) < n;) fn(k, i);
                },
                tbb::simple_partitioner());
        });
    }

    // Computes and shares the reference outputs of both input sets once per workload (and seed,
    // target): one compile of the reference schedule and one run per set (Reference.h).
    void prepare(const Workload &w) {
        WorkloadSpec spec = spec_of(w);
        std::string key =
            nlohmann::json(spec).dump() + "|" + std::to_string(opt_.input_seed) + "|" + opt_.target;
        if (key == key_) return;
        remove_reference();
        key_.clear();
        ReferenceData ref = compute_reference(w, opt_.input_seed, parse_target(opt_.target));
        char tmpl[] = "/tmp/htune-measure-XXXXXX";
        if (!mkdtemp(tmpl)) throw_io("cannot create a temporary directory", "/tmp");
        temp_dir_ = tmpl;
        load_ = LoadJob{spec, opt_.input_seed, temp_dir_ + "/reference.bin", opt_.target, threads_};
        write_reference_file(load_.reference_path, ref);
        reference_s_ = ref.run_s;
        key_ = key;
    }

    void remove_reference() {
        if (temp_dir_.empty()) return;
        // Logs of compiles that were interrupted (the runner was destroyed mid-batch).
        if (DIR *d = opendir(temp_dir_.c_str())) {
            while (dirent *e = readdir(d))
                if (std::string(e->d_name).rfind("compile-", 0) == 0)
                    unlink((temp_dir_ + "/" + e->d_name).c_str());
            closedir(d);
        }
        unlink((temp_dir_ + "/reference.bin").c_str());
        rmdir(temp_dir_.c_str());
        temp_dir_.clear();
    }

    // Starts worker `wp` if needed and loads the current workload into it. A worker that cannot
    // load the workload is not a candidate's failure: throws.
    void ensure_loaded(WorkerProcess &wp) {
        if (wp.running() && wp.loaded == key_) return;
        if (!wp.running()) wp.start();
        wp.send(to_job_json(load_));
        auto rep = wp.receive(std::max(60.0, opt_.compile_timeout_s));
        if (rep.kind != WorkerProcess::Reply::ok)
            throw Error(ErrorKind::internal, "measure: worker '" + exe_ + " worker' " + rep.what +
                                                 " while loading " + load_.workload.op);
        if (!rep.json.value("ok", false))
            throw Error(
                ErrorKind::internal,
                "measure: worker could not load the workload: " + rep.json.value("error", std::string("?")),
                load_.workload.op);
        wp.loaded = key_;
    }

    // Compiles `c` in worker k. With `import`: the autoscheduler's schedule in htune's space goes
    // there instead, and nothing is compiled or left to run.
    void compile(int k, const Candidate &c, MeasureResult &r, Slot &slot,
                 ImportedCandidate *import = nullptr) {
        WorkerProcess &wp = *workers_[k];
        ensure_loaded(wp);
        slot = Slot{};
        CompileJob job;
        job.id = next_id_++;
        job.kind = c.kind;
        job.fault = c.fault;
        if (c.kind == CandidateKind::schedule) job.schedule = nlohmann::json(c.schedule);
        job.name = c.name;
        job.plugin = c.plugin_path;
        job.machine = c.machine;
        if (c.kind == CandidateKind::autoscheduler)
            job.log = temp_dir_ + "/compile-" + std::to_string(job.id) + ".log";
        job.import_schedule = import != nullptr;
        wp.send(to_job_json(job));
        const double limit = c.compile_timeout_s > 0 ? std::min(c.compile_timeout_s, opt_.compile_timeout_s)
                                                     : opt_.compile_timeout_s;
        auto rep = wp.receive(limit);
        std::string log = job.log.empty() ? std::string() : read_log_tail(job.log);
        if (!job.log.empty()) unlink(job.log.c_str());
        if (rep.kind == WorkerProcess::Reply::timeout) {
            r.status = Status::timeout;
            r.compile_s = rep.waited_s;
            r.error = "compile did not finish within " + seconds_text(limit) + " (worker killed)";
            return;
        }
        if (rep.kind == WorkerProcess::Reply::died) {
            r.status = Status::crash;
            r.error = "worker " + rep.what + " while compiling";
            if (!log.empty()) r.error += "; its last output: " + log;
            return;
        }
        check_reply(rep.json, "compile", job.id);
        // The worker ran out of memory and may be broken: the next job gets a fresh one. What it
        // compiled for this batch goes with it (phase 2 compiles those again).
        if (rep.json.value("restart", false)) wp.stop();
        r.compile_s = rep.json.value("compile_s", 0.0);
        r.status = status_from_string(rep.json.value("status", std::string("compile_error")));
        r.error = rep.json.value("error", std::string());
        if (import && r.status == Status::ok) {
            try {
                import->schedule = rep.json.at("schedule").get<Schedule>();
                import->changes = rep.json.value("changes", std::vector<std::string>{});
            } catch (const std::exception &e) {
                r.status = Status::compile_error;
                r.error = std::string("the imported schedule is unreadable: ") + e.what();
            }
            return;
        }
        if (r.status == Status::ok) slot = Slot{true, k, wp.generation(), job.id};
    }

    // The last few lines (at most 2000 bytes) of what an autoscheduler printed.
    static std::string read_log_tail(const std::string &path) {
        std::ifstream in(path, std::ios::binary);
        if (!in) return "";
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        while (!text.empty() && std::isspace((unsigned char)text.back())) text.pop_back();
        if (text.size() > 2000) text = "..." + text.substr(text.size() - 2000);
        return text;
    }

    void run(WorkerProcess &wp, const Slot &slot, double limit_s, double cutoff_ms, MeasureResult &r) {
        wp.send(to_job_json(RunJob{slot.id, TimingPolicy{opt_.warmup, opt_.min_repeats, opt_.min_seconds,
                                                         opt_.max_repeats, cutoff_ms}}));
        auto rep = wp.receive(limit_s);
        double compile_s = r.compile_s;
        if (rep.kind == WorkerProcess::Reply::ok) {
            check_reply(rep.json, "run", slot.id);
            r = rep.json.at("result").get<MeasureResult>();
        } else {
            r = MeasureResult{};
            r.status = rep.kind == WorkerProcess::Reply::timeout ? Status::timeout : Status::crash;
            r.error = rep.kind == WorkerProcess::Reply::timeout
                          ? "run did not finish within " + seconds_text(limit_s) + " (worker killed)"
                          : "worker " + rep.what + " while running";
        }
        r.compile_s = compile_s;
        r.threads = threads_;
    }

    // A reply of the wrong kind means the two sides disagree on the protocol: a bug, not data.
    static void check_reply(const nlohmann::json &j, const char *job, int id) {
        if (j.value("job", std::string()) == job && j.value("id", -1) == id) return;
        throw Error(ErrorKind::internal, std::string("measure: unexpected worker reply to a ") + job +
                                             " job: " + j.dump().substr(0, 300));
    }

    MeasureOptions opt_;
    std::string exe_;
    int threads_ = 1;
    std::vector<std::string> env_;
    std::vector<std::unique_ptr<WorkerProcess>> workers_;
    std::string key_, temp_dir_;
    LoadJob load_;
    double reference_s_ = 0;
    std::atomic<int> next_id_{1};
};

}  // namespace

std::unique_ptr<Runner> make_worker_runner(const MeasureOptions &options) {
    return std::make_unique<WorkerRunner>(options);
}

}  // namespace htune
