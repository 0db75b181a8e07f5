// MpiFleet: `htune tune --mpi`, measuring on a fleet of same-type machines under Open MPI.
// Every rank runs the same command line. Rank 0 is the coordinator: search, cost model and the
// only process that opens the database; it measures through make_mpi_runner(), a Runner that
// hands candidates to the other ranks one at a time from a queue (a slow candidate stalls only
// its host) and returns the results in batch order, each naming the host that measured it. Every
// other rank is a measurement host (run_measurement_host): it builds the workloads itself and
// measures in its own isolated workers (make_worker_runner), exactly as a one-machine run does.
//
// Protocol (JSON text messages, MPI_COMM_WORLD):
//   host -> 0  hello   {"device": DeviceKey::key(), "host": "hostname/rank N"}
//   0 -> host  welcome {"ok": true} | {"ok": false, "why": "..."}: an excluded host exits
//   0 -> host  job     {"id": N, "workload": WorkloadSpec, "candidates": [Candidate...],
//                       "import": false}   ("import": true: Runner::import_autoschedules)
//   host -> 0  done    {"id": N, "results": [MeasureResult...]} | {"id": N, "imported": [...]}
//                      | {"id": N, "error": "..."}  (the workload could not be set up there)
//   0 -> host  exit    {}
// A host whose device key differs from rank 0's is excluded with one line naming it, so nothing
// is ever stored under the wrong device type. The confirmation batch (measure_together) goes to
// one host as one job, so the candidates it compares are measured side by side.
// Faults: a crashing or hanging candidate stays in its host's worker, as on one machine. A lost
// host (its process killed, its machine gone): by default Debian's Open MPI 4.1 aborts the whole
// job (it has no fault-tolerant MPI), every batch already committed stays in the database and the
// same command resumes; under `mpirun --enable-recovery` the job lives on, and rank 0 notices the
// host's silence (no result, no heartbeat for --mpi-host-timeout), says so, puts its candidate
// back in the queue and goes on with the others (docs/TUNING.md, "Many machines").
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "measure/MeasureOptions.h"
#include "measure/Runner.h"

namespace htune {

// True when this htune was built with Open MPI (HTUNE_HAVE_MPI).
bool have_mpi();

// MPI_Init on construction, MPI_Finalize on destruction (after every Runner made from it is
// gone). Throws a usage Error when htune was built without Open MPI.
class MpiSession {
public:
    MpiSession();
    ~MpiSession();
    MpiSession(const MpiSession &) = delete;
    MpiSession &operator=(const MpiSession &) = delete;
    int rank() const { return rank_; }
    int size() const { return size_; }

private:
    int rank_ = 0, size_ = 1;
};

// "hostname/rank N": how records and messages name a rank.
std::string mpi_host_name(int rank);

// Rank 0: greets every other rank, excludes (one line each on `log`) those whose device key is
// not `device_key`, and returns the Runner that measures on the rest; with `local` (rank 0's own
// worker runner, --mpi-coordinator-measures) rank 0 takes jobs from the queue too, one at a time,
// while it waits for the hosts. A host with a job in flight that sends nothing (no result, no
// heartbeat) for `host_timeout_s` is lost: one line on `log`, its candidate goes back to the
// queue, and the run goes on without it (when the MPI runtime lets the job live on: `mpirun
// --enable-recovery`). Throws an Error when no host is left (and no `local`). Destroying the
// Runner tells every host still there to exit.
std::unique_ptr<Runner> make_mpi_runner(const MpiSession &session, const std::string &device_key,
                                        std::ostream &log, std::unique_ptr<Runner> local = nullptr,
                                        double host_timeout_s = 60);
// How many measurement hosts a runner from make_mpi_runner() has, rank 0 included when it
// measures (0 for any other Runner).
int mpi_host_count(const Runner &runner);

// Ranks > 0: says hello with `device_key` (or $HTUNE_MPI_DEVICE_KEY when set: how the tests
// make one host look like another device type), then measures jobs with a worker runner made
// from `options` until told to exit, sending rank 0 a heartbeat every host_timeout_s / 4 while a
// job runs. Returns the process exit code (0, also when excluded: mpirun aborts a job on any other).
int run_measurement_host(const MpiSession &session, const MeasureOptions &options,
                         const std::string &device_key, double host_timeout_s = 60);

}  // namespace htune
