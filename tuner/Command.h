// The `htune` CLI: one Command per subcommand, dispatched by name. Start at Commands.cpp for
// the list; each command lives in tuner/cmd/<Name>Command.cpp.
#pragma once

#include <functional>
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

// Runs `htune ARGS...`: prints errors as one line "htune: error: ..." on stderr.
int run_cli(int argc, char **argv);

}  // namespace htune
