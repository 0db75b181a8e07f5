// Parent-side handle of one `htune worker` child process: fork/exec with pipes on its stdin
// and stdout, an address-space limit, JSON-line send/receive with a deadline, and a kill that
// always reaps (no zombies, no leaked fds). Used by WorkerRunner.cpp.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace htune {

class WorkerProcess {
public:
    // `exe` is the htune binary (run as `exe worker`); `env` is the child's whole environment
    // ("KEY=VALUE"); `address_space_bytes` is its RLIMIT_AS (0 = inherit).
    WorkerProcess(std::string exe, std::vector<std::string> env, size_t address_space_bytes);
    ~WorkerProcess();  // stop()
    WorkerProcess(const WorkerProcess &) = delete;
    WorkerProcess &operator=(const WorkerProcess &) = delete;

    // Starts a fresh child (stopping a running one first). Throws an internal Error when pipes
    // or fork fail; a failing exec shows up as the child dying (status 127) on first receive.
    void start();
    bool running() const { return pid_ > 0; }
    // Incremented by every start(): state held by an older child (compiled code) is gone.
    int generation() const { return generation_; }

    // Writes one job line. Returns false when the child is gone (its stdin is closed); the
    // next receive() then says how it ended. SIGPIPE is blocked around the write, so a dead
    // child cannot kill the parent.
    bool send(const nlohmann::json &job);

    struct Reply {
        enum Kind { ok, timeout, died } kind = died;
        nlohmann::json json;  // the reply, when ok
        std::string what;     // when not ok: "killed by signal 11 (Segmentation fault)", ...
        double waited_s = 0;  // wall time spent waiting
    };
    // Waits at most `timeout_s` seconds for one reply line. On timeout the child is killed
    // (SIGKILL) and reaped; when it dies (EOF, or a line that is not JSON) it is reaped. Either
    // way running() is false afterwards and the caller decides whether to start() again.
    Reply receive(double timeout_s);

    // Closes the child's stdin (it exits at EOF), waits up to `grace_s`, then SIGKILLs and
    // reaps it. No-op when not running.
    void stop(double grace_s = 1.0);

    // Key of the workload this child has loaded; "" after start(). Owned by the caller.
    std::string loaded;

private:
    // Reaps the child (SIGKILL first when `kill_first`, or after `grace_s`), closes the pipes,
    // and describes how the child ended.
    std::string reap(bool kill_first, double grace_s);

    std::string exe_;
    std::vector<std::string> env_;
    size_t address_space_bytes_;
    pid_t pid_ = -1;
    int to_child_ = -1, from_child_ = -1;
    int generation_ = 0;
    std::string buffer_;  // bytes read from the child past the last complete line
};

}  // namespace htune
