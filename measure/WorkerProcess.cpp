// Worker child process handle (see WorkerProcess.h).
#include "measure/WorkerProcess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>

#include "measure/Worker.h"
#include "ops/Error.h"

namespace htune {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string describe_status(int status) {
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char *name = strsignal(sig);
        return "killed by signal " + std::to_string(sig) + " (" + (name ? name : "?") + ")";
    }
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    return "ended with wait status " + std::to_string(status);
}

void close_fd(int &fd) {
    if (fd >= 0) close(fd);
    fd = -1;
}

}  // namespace

WorkerProcess::WorkerProcess(std::string exe, std::vector<std::string> env, size_t address_space_bytes)
    : exe_(std::move(exe)), env_(std::move(env)), address_space_bytes_(address_space_bytes) {}

WorkerProcess::~WorkerProcess() { stop(); }

void WorkerProcess::start() {
    stop();
    int in_pipe[2], out_pipe[2];
    // O_CLOEXEC: a worker forked concurrently from another thread must not inherit these.
    if (pipe2(in_pipe, O_CLOEXEC) != 0)
        throw Error(ErrorKind::internal, std::string("cannot create worker pipe: ") + strerror(errno));
    if (pipe2(out_pipe, O_CLOEXEC) != 0) {
        int e = errno;
        close(in_pipe[0]);
        close(in_pipe[1]);
        throw Error(ErrorKind::internal, std::string("cannot create worker pipe: ") + strerror(e));
    }
    // Everything the child needs is built before fork: only async-signal-safe calls after it.
    std::vector<char *> argv = {const_cast<char *>(exe_.c_str()), const_cast<char *>("worker"), nullptr};
    std::vector<char *> envp;
    for (auto &e : env_) envp.push_back(const_cast<char *>(e.c_str()));
    // Who the worker's parent is, for it to exit when orphaned (Worker.cpp), even when the parent
    // died before the worker started.
    std::string parent = std::string(kWorkerParentEnv) + "=" + std::to_string(getpid());
    envp.push_back(const_cast<char *>(parent.c_str()));
    envp.push_back(nullptr);
    struct rlimit as_limit = {(rlim_t)address_space_bytes_, (rlim_t)address_space_bytes_};
    struct rlimit no_core = {0, 0};

    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) close(fd);
        throw Error(ErrorKind::internal, std::string("cannot fork a worker: ") + strerror(e));
    }
    if (pid == 0) {
        dup2(in_pipe[0], STDIN_FILENO);
        dup2(out_pipe[1], STDOUT_FILENO);
        close_range(3, ~0U, 0);  // nothing else of the parent's leaks into the worker
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        struct sigaction dfl = {};
        dfl.sa_handler = SIG_DFL;
        sigaction(SIGPIPE, &dfl, nullptr);
        if (address_space_bytes_ > 0) setrlimit(RLIMIT_AS, &as_limit);
        setrlimit(RLIMIT_CORE, &no_core);  // a crashing candidate must not write core files
        execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    pid_ = pid;
    to_child_ = in_pipe[1];
    from_child_ = out_pipe[0];
    buffer_.clear();
    loaded.clear();
    generation_++;
}

bool WorkerProcess::send(const nlohmann::json &job) {
    if (!running()) return false;
    // Block SIGPIPE for this thread while writing; swallow one raised by this write.
    sigset_t pipe_set, old_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    bool ok = write_json_line(to_child_, job.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (!ok && errno == EPIPE) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, nullptr, &zero) == SIGPIPE) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
    return ok;
}

WorkerProcess::Reply WorkerProcess::receive(double timeout_s) {
    Reply r;
    auto t0 = Clock::now();
    if (!running()) {
        r.what = "is not running";
        return r;
    }
    for (;;) {
        size_t nl = buffer_.find('\n');
        if (nl != std::string::npos) {
            std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            r.waited_s = seconds_since(t0);
            try {
                r.json = nlohmann::json::parse(line);
                r.kind = Reply::ok;
            } catch (const nlohmann::json::exception &) {
                r.kind = Reply::died;
                r.what = "sent a line that is not JSON (" + line.substr(0, 200) + "); " + reap(true, 0);
            }
            return r;
        }
        double left = timeout_s - seconds_since(t0);
        if (left <= 0) {
            r.kind = Reply::timeout;
            r.what = reap(true, 0);
            r.waited_s = seconds_since(t0);
            return r;
        }
        struct pollfd p = {from_child_, POLLIN, 0};
        int n = poll(&p, 1, (int)std::ceil(std::min(left, 3600.0) * 1000));
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) continue;  // deadline checked at the top of the loop
        char chunk[65536];
        ssize_t got = n > 0 ? read(from_child_, chunk, sizeof chunk) : -1;
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {  // EOF (or a broken pipe): the child is gone or going
            r.kind = Reply::died;
            r.what = reap(false, 2.0);
            r.waited_s = seconds_since(t0);
            return r;
        }
        buffer_.append(chunk, (size_t)got);
    }
}

void WorkerProcess::stop(double grace_s) {
    if (!running()) return;
    close_fd(to_child_);  // EOF on its stdin: a healthy worker exits by itself
    reap(false, grace_s);
}

std::string WorkerProcess::reap(bool kill_first, double grace_s) {
    std::string what = "is not running";
    if (pid_ > 0) {
        if (kill_first) kill(pid_, SIGKILL);
        int status = 0;
        auto t0 = Clock::now();
        bool done = false;
        while (!done) {
            pid_t w = waitpid(pid_, &status, kill_first ? 0 : WNOHANG);
            if (w == pid_)
                done = true;
            else if (w < 0 && errno != EINTR)
                break;  // not our child any more (cannot happen)
            else if (w == 0) {
                if (seconds_since(t0) >= grace_s) {
                    kill(pid_, SIGKILL);
                    kill_first = true;  // next waitpid blocks
                } else {
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
            }
        }
        what = done ? describe_status(status) : "could not be reaped";
        pid_ = -1;
    }
    close_fd(to_child_);
    close_fd(from_child_);
    buffer_.clear();
    loaded.clear();
    return what;
}

}  // namespace htune
