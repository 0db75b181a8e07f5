// The child side of measurement: `htune worker` reads jobs (Protocol.h) on stdin and answers
// each with one JSON line. It holds one workload and the candidates it has compiled but not yet
// run. A candidate may crash or hang this process; that is the point: the parent survives it.
#pragma once

#include <istream>
#include <string>

namespace htune {

// Answers jobs read from `in` until EOF, one reply line per job written to `out_fd`. Returns 0
// at EOF, 1 when the reply cannot be written (the parent is gone). Single-threaded.
int run_worker(std::istream &in, int out_fd);

// The `htune worker` entry point: moves the protocol to a private copy of stdout and points
// fd 1 at stderr, so that anything else printing to stdout (a user's Generator, Halide's
// print()) cannot corrupt the protocol; then run_worker(std::cin, that copy).
int run_worker_stdio();

// The environment variable that tells a worker its parent's pid (set by WorkerProcess): the
// worker exits when it is no longer its child. Without it, the parent at start is watched.
constexpr const char *kWorkerParentEnv = "HTUNE_WORKER_PARENT";

// One JSON line on `fd` (invalid UTF-8 replaced); false when the write fails.
bool write_json_line(int fd, const std::string &line);

}  // namespace htune
