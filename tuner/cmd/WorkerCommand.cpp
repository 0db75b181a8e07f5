// `htune worker` (internal): the child process that measure/ starts to compile and run
// candidates in isolation. Speaks the JSON-lines protocol of measure/Protocol.h.
#include "measure/Worker.h"
#include "tuner/Command.h"
#include "tuner/WorkloadOptions.h"

namespace po = boost::program_options;

namespace htune {

namespace {

int run_worker_command(const std::vector<std::string> &args) {
    po::options_description desc(
        "htune worker (internal: started by htune itself; reads JSON-line jobs on stdin and writes "
        "one JSON-line reply per job on stdout, see measure/Protocol.h)");
    po::variables_map vm;
    if (parse_command_line("worker", args, desc, vm, nullptr, "< jobs.jsonl")) return 0;
    return run_worker_stdio();
}

}  // namespace

Command worker_command() {
    return {"worker", "(internal) compile and run candidates for a parent htune process", run_worker_command};
}

}  // namespace htune
