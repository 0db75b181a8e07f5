// MpiFleet (see MpiFleet.h): the coordinator's Runner over MPI and the measurement hosts' loop.
// Compiled with Open MPI when CMake found it (HTUNE_HAVE_MPI); without it every entry point
// says so in one usage error, and the rest of htune is unchanged.
#include "measure/MpiFleet.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <thread>
#include <vector>

#include "ops/Error.h"
#include "ops/OpRegistry.h"

#ifdef HTUNE_HAVE_MPI
// The C API only: Open MPI's deprecated C++ bindings would need libmpi_cxx.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace htune {

std::string mpi_host_name(int rank) {
    char buf[256] = {0};
    if (gethostname(buf, sizeof buf - 1) != 0) buf[0] = 0;
    return std::string(buf[0] ? buf : "unknown-host") + "/rank " + std::to_string(rank);
}

#ifndef HTUNE_HAVE_MPI

bool have_mpi() { return false; }

MpiSession::MpiSession() {
    throw_usage("--mpi: this htune was built without Open MPI (install libopenmpi-dev and rebuild)");
}
MpiSession::~MpiSession() = default;

std::unique_ptr<Runner> make_mpi_runner(const MpiSession &, const std::string &, std::ostream &,
                                        std::unique_ptr<Runner>, double) {
    throw_usage("--mpi: this htune was built without Open MPI");
}
int mpi_host_count(const Runner &) { return 0; }
int run_measurement_host(const MpiSession &, const MeasureOptions &, const std::string &, double) {
    throw_usage("--mpi: this htune was built without Open MPI");
}

#else

bool have_mpi() { return true; }

namespace {

enum Tag { kHello = 1, kWelcome, kJob, kDone, kExit, kAlive };

void send_json(const nlohmann::json &j, int to, Tag tag) {
    const std::string text = j.dump();
    MPI_Send(text.data(), (int)text.size(), MPI_CHAR, to, tag, MPI_COMM_WORLD);
}

// Blocks for the next message of `tag` from `from` (MPI_ANY_SOURCE for any rank).
nlohmann::json recv_json(int from, int tag, int *source) {
    MPI_Status st;
    MPI_Probe(from, tag, MPI_COMM_WORLD, &st);
    int n = 0;
    MPI_Get_count(&st, MPI_CHAR, &n);
    std::string text((size_t)n, '\0');
    MPI_Recv(text.data(), n, MPI_CHAR, st.MPI_SOURCE, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (source) *source = st.MPI_SOURCE;
    return nlohmann::json::parse(text);
}

struct Host {
    int rank = 0;
    std::string name;
};

// Measures (or imports) one job with `runner` on `w`; the reply a host sends back.
nlohmann::json serve(Runner &runner, const Workload &w, const nlohmann::json &j) {
    nlohmann::json reply = {{"id", j.at("id")}};
    try {
        auto cs = j.at("candidates").get<std::vector<Candidate> >();
        if (j.value("import", false))
            reply["imported"] = runner.import_autoschedules(w, cs);
        else
            reply["results"] = runner.measure_candidates(w, cs);
    } catch (const std::exception &e) {
        reply = {{"id", j.at("id")}, {"error", e.what()}};
    }
    return reply;
}

class MpiRunner : public Runner {
public:
    // `local`: rank 0's own worker runner when it measures too (one job at a time, on a thread;
    // only this thread calls MPI), else null.
    MpiRunner(std::vector<Host> hosts, std::unique_ptr<Runner> local, double host_timeout_s,
              std::ostream &log)
        : hosts_(std::move(hosts)), local_(std::move(local)), host_timeout_s_(host_timeout_s), log_(log) {
        if (local_) self_ = {0, mpi_host_name(0)};
    }

    ~MpiRunner() override {
        // A host given up for lost may only have been slow: it is told too, without waiting on
        // it (it may be dead), so that it does not keep the job alive.
        static const char kNothing[] = "{}";
        for (const Host &h : hosts_) {
            if (!lost_.count(h.rank)) {
                send_json(nlohmann::json::object(), h.rank, kExit);
                continue;
            }
            MPI_Request req;
            if (MPI_Isend(kNothing, 2, MPI_CHAR, h.rank, kExit, MPI_COMM_WORLD, &req) == MPI_SUCCESS)
                MPI_Request_free(&req);
        }
    }

    int host_count() const { return (int)hosts_.size() + (local_ ? 1 : 0); }

    std::vector<MeasureResult> measure_candidates(const Workload &w,
                                                  const std::vector<Candidate> &batch) override {
        // One job per candidate, handed to whichever host is free next.
        std::vector<nlohmann::json> jobs;
        for (const Candidate &c : batch) jobs.push_back(job(w, {c}, false));
        std::vector<MeasureResult> out(batch.size());
        run_jobs(w, jobs, [&](size_t i, const nlohmann::json &reply, const Host &h) {
            out[i] = reply.at("results").at(0).get<MeasureResult>();
            out[i].host = h.name;
        });
        return out;
    }

    std::vector<MeasureResult> measure_together(const Workload &w,
                                                const std::vector<Schedule> &batch) override {
        std::vector<Candidate> cs;
        for (const Schedule &s : batch) cs.push_back(Candidate::of(s));
        std::vector<MeasureResult> out;
        if (cs.empty()) return out;
        run_jobs(w, {job(w, cs, false)}, [&](size_t, const nlohmann::json &reply, const Host &h) {
            for (const auto &r : reply.at("results")) {
                out.push_back(r.get<MeasureResult>());
                out.back().host = h.name;
            }
        });
        return out;
    }

    std::vector<ImportedCandidate> import_autoschedules(const Workload &w,
                                                        const std::vector<Candidate> &batch) override {
        std::vector<ImportedCandidate> out;
        if (batch.empty()) return out;
        run_jobs(w, {job(w, batch, true)}, [&](size_t, const nlohmann::json &reply, const Host &) {
            out = reply.at("imported").get<std::vector<ImportedCandidate> >();
        });
        return out;
    }

private:
    static nlohmann::json job(const Workload &w, const std::vector<Candidate> &cs, bool import) {
        return {{"workload", spec_of(w)}, {"candidates", cs}, {"import", import}};
    }

    // Sends the jobs from a queue, one per free host, and hands each reply to `done` as it
    // arrives. A host that could not set the workload up fails the batch (after every job in
    // flight came back), as Runner's contract says. With a local runner, rank 0 takes jobs too.
    // A host with a job that says nothing (no reply, no heartbeat) for host_timeout_s is lost:
    // said once, its job goes back to the queue, and it gets no more (MpiFleet.h, "Faults").
    template <typename Done>
    void run_jobs(const Workload &w, const std::vector<nlohmann::json> &jobs, Done done) {
        using Clock = std::chrono::steady_clock;
        std::deque<size_t> queue;
        for (size_t i = 0; i < jobs.size(); i++) queue.push_back(i);
        std::vector<const Host *> idle;
        for (auto it = hosts_.rbegin(); it != hosts_.rend(); ++it)
            if (!lost_.count(it->rank)) idle.push_back(&*it);
        std::map<int, const Host *> by_rank;
        for (const Host &h : hosts_) by_rank[h.rank] = &h;
        std::map<int, size_t> busy;  // rank -> the job it measures
        std::map<int, Clock::time_point> heard;
        std::string error;
        std::future<nlohmann::json> mine;  // rank 0's own job, when it measures too
        auto take = [&](nlohmann::json reply, const Host &h) {
            if (reply.contains("error")) {
                if (error.empty()) error = h.name + ": " + reply["error"].get<std::string>();
                return;
            }
            done(reply.at("id").get<size_t>(), reply, h);
        };
        while (!queue.empty() || !busy.empty() || mine.valid()) {
            while (!queue.empty() && !idle.empty() && error.empty()) {
                nlohmann::json j = jobs[queue.front()];
                j["id"] = queue.front();
                const int rank = idle.back()->rank;
                post(rank, j.dump());
                busy[rank] = queue.front();
                heard[rank] = Clock::now();
                queue.pop_front();
                idle.pop_back();
            }
            if (local_ && !mine.valid() && !queue.empty() && error.empty()) {
                nlohmann::json j = jobs[queue.front()];
                j["id"] = queue.front();
                queue.pop_front();
                mine = std::async(std::launch::async, [this, &w, j] { return serve(*local_, w, j); });
            }
            if (busy.empty() && !mine.valid()) {
                if (queue.empty() || !error.empty()) break;
                throw Error(ErrorKind::io,
                            "--mpi: every measurement host was lost (" + std::to_string(lost_.size()) +
                                "); the committed batches are kept: run the same command again");
            }
            if (mine.valid() && mine.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
                take(mine.get(), self_);
                continue;
            }
            int arrived = 0;
            MPI_Status st;
            MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &st);
            if (arrived) {
                const int from = st.MPI_SOURCE;
                nlohmann::json msg = recv_json(from, st.MPI_TAG, nullptr);
                if (lost_.count(from) || !busy.count(from)) continue;  // late word from a lost host
                heard[from] = Clock::now();
                if (st.MPI_TAG != kDone) continue;                     // a heartbeat
                MPI_Wait(&sending_[from].request, MPI_STATUS_IGNORE);  // it replied: the job arrived
                busy.erase(from);
                idle.push_back(by_rank.at(from));
                take(std::move(msg), *by_rank.at(from));
                continue;
            }
            for (auto it = busy.begin(); it != busy.end();) {
                const double silent = std::chrono::duration<double>(Clock::now() - heard[it->first]).count();
                if (silent <= host_timeout_s_) {
                    ++it;
                    continue;
                }
                log_ << "htune tune: measurement host " << by_rank.at(it->first)->name
                     << " lost (no word for " << (int)silent << " s); its candidate goes back to the queue"
                     << std::endl;
                // Its job's text stays in sending_ (MPI may still read it); nothing is posted to
                // a lost host again.
                lost_.insert(it->first);
                if (sending_[it->first].request != MPI_REQUEST_NULL)
                    MPI_Request_free(&sending_[it->first].request);
                queue.push_front(it->second);
                it = busy.erase(it);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        if (!error.empty()) throw Error(ErrorKind::io, error);
    }

    // A job is sent without waiting (MPI_Send to a host that died blocks for good): its text
    // lives here until the host replies, or for good when the host is lost.
    void post(int rank, std::string text) {
        Sending &s = sending_[rank];
        s.text = std::move(text);
        MPI_Isend(s.text.data(), (int)s.text.size(), MPI_CHAR, rank, kJob, MPI_COMM_WORLD, &s.request);
    }

    struct Sending {
        MPI_Request request = MPI_REQUEST_NULL;
        std::string text;
    };
    std::map<int, Sending> sending_;

    std::vector<Host> hosts_;
    std::unique_ptr<Runner> local_;
    Host self_;
    double host_timeout_s_;
    std::ostream &log_;
    std::set<int> lost_;  // ranks sent nothing more
};

}  // namespace

MpiSession::MpiSession() {
    int initialized = 0;
    MPI_Initialized(&initialized);
    // FUNNELED: only the main thread calls MPI (workers' pipes and rank 0's own measuring run on
    // other threads).
    int provided = 0;
    if (!initialized) MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    // A message to a host that died is an error to handle (MpiRunner gives the host up), not
    // an abort of the job.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
}

std::unique_ptr<Runner> make_mpi_runner(const MpiSession &session, const std::string &device_key,
                                        std::ostream &log, std::unique_ptr<Runner> local,
                                        double host_timeout_s) {
    std::vector<Host> hosts;
    int excluded = 0;
    for (int k = 1; k < session.size(); k++) {
        int from = 0;
        nlohmann::json hello = recv_json(MPI_ANY_SOURCE, kHello, &from);
        const std::string key = hello.value("device", std::string());
        const std::string name = hello.value("host", mpi_host_name(from));
        if (key != device_key) {
            const std::string why = "device type '" + key + "' is not rank 0's '" + device_key + "'";
            log << "htune tune: excluding measurement host " << name << ": " << why << std::endl;
            send_json({{"ok", false}, {"why", why}}, from, kWelcome);
            excluded++;
            continue;
        }
        send_json({{"ok", true}}, from, kWelcome);
        hosts.push_back({from, name});
    }
    if (hosts.empty() && !local)
        throw Error(ErrorKind::io, "--mpi: no measurement host of device type '" + device_key + "' (" +
                                       std::to_string(session.size() - 1) + " rank(s), " +
                                       std::to_string(excluded) +
                                       " excluded); run with mpirun -np 2 or more");
    return std::make_unique<MpiRunner>(std::move(hosts), std::move(local), host_timeout_s, log);
}

int mpi_host_count(const Runner &runner) {
    auto *m = dynamic_cast<const MpiRunner *>(&runner);
    return m ? m->host_count() : 0;
}

int run_measurement_host(const MpiSession &session, const MeasureOptions &options,
                         const std::string &device_key, double host_timeout_s) {
    // mpirun forwards Ctrl-C to every rank; a host keeps serving until rank 0, which finishes
    // its batch in flight and commits it, tells it to exit.
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    const char *forced = std::getenv("HTUNE_MPI_DEVICE_KEY");
    const std::string key = forced && *forced ? forced : device_key;
    send_json({{"device", key}, {"host", mpi_host_name(session.rank())}}, 0, kHello);
    nlohmann::json welcome = recv_json(0, kWelcome, nullptr);
    if (!welcome.value("ok", false)) return 0;  // rank 0 said why; a non-zero exit would abort the job
    auto runner = make_worker_runner(options);
    std::unique_ptr<Workload> w;
    WorkloadSpec loaded;
    // A job runs on a thread (only this one calls MPI); meanwhile a heartbeat every quarter of
    // the host timeout tells rank 0 this host is alive, however long the job takes.
    const auto beat = std::chrono::milliseconds((int64_t)std::max(50.0, host_timeout_s * 1000 / 4));
    for (;;) {
        MPI_Status st;
        MPI_Probe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        if (st.MPI_TAG == kExit) {
            recv_json(0, kExit, nullptr);
            return 0;
        }
        nlohmann::json j = recv_json(0, kJob, nullptr);
        auto job = std::async(std::launch::async, [&]() -> nlohmann::json {
            try {
                WorkloadSpec spec = j.at("workload").get<WorkloadSpec>();
                if (!w || !(spec == loaded)) {
                    w.reset();
                    w = std::make_unique<Workload>(make_workload(spec));
                    loaded = spec;
                }
            } catch (const std::exception &e) {
                return {{"id", j.at("id")}, {"error", e.what()}};
            }
            return serve(*runner, *w, j);
        });
        while (job.wait_for(beat) != std::future_status::ready) send_json({{"id", j.at("id")}}, 0, kAlive);
        send_json(job.get(), 0, kDone);
    }
}

#endif

}  // namespace htune
