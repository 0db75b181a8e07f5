// The `htune` CLI: one Command per subcommand, dispatched by name. Start at Commands.cpp for
// the list; each command lives in tuner/cmd/<Name>Command.cpp.
#pragma once

#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace htune {

struct Command {
    std::string name, summary;
    // Receives the arguments after the command name; returns the process exit code.
    // Throws htune::Error on failure (usage errors exit 2, others 1).
    std::function<int(const std::vector<std::string> &args)> run;
};

const std::vector<Command> &commands();

// Where a JSON report came from, written into the reports of `compare` and `sample` so that
// docs/BENCHMARKS.md (bench_report.py) can say it: {"command": "htune NAME ARGS...", "date":
// UTC ISO 8601, "commit": `git describe` of the source tree at build time}.
nlohmann::json run_provenance(const std::string &name, const std::vector<std::string> &args);

// The items of a comma-separated option value ("a,b,,c" -> a, b, c: empty items dropped).
std::vector<std::string> split_list(const std::string &list);

// Writes `path` through `write` into a file beside it, then renames that over `path`, so a
// failure (an exception from `write`, a full disk) never leaves half a file. Throws IoError
// "cannot write 'PATH'" (" (disk full?)" when the stream failed).
void write_atomically(const std::string &path, const std::function<void(std::ostream &)> &write);

// Runs `htune ARGS...`: prints errors as one line "htune: error: ..." on stderr.
int run_cli(int argc, char **argv);

}  // namespace htune
