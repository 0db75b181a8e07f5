// The list of `htune` subcommands and the top-level dispatcher (see Command.h).
#include <Halide.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "htune_commit.h"
#include "ops/Error.h"
#include "tuner/Command.h"

namespace htune {

namespace {

// "htune: error: WHAT" as one write, so that a process killed right after (mpirun aborting a
// job) does not leave half a line.
void say_error(const std::string &what) {
    const std::string line = "htune: error: " + what + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace

// One factory per command, defined in tuner/cmd/*Command.cpp.
Command ops_command();
Command sample_command();
Command worker_command();
Command best_command();
Command devices_command();
Command export_command();
Command import_command();
Command compare_command();
Command tune_command();
Command build_command();
Command retrain_command();
Command verify_command();
Command revalidate_command();
Command profile_command();

const std::vector<Command> &commands() {
    static const std::vector<Command> all = {
        ops_command(),     sample_command(), worker_command(),     best_command(),    devices_command(),
        export_command(),  import_command(), compare_command(),    tune_command(),    build_command(),
        retrain_command(), verify_command(), revalidate_command(), profile_command(),
    };
    return all;
}

namespace {

void print_usage(std::ostream &os) {
    os << "usage: htune COMMAND [options]   (htune COMMAND --help for its options)\n\n"
          "htune is an ML-guided autotuner for Halide pipelines.\n\ncommands:\n";
    for (const auto &c : commands()) {
        os << "  " << c.name << std::string(c.name.size() < 10 ? 10 - c.name.size() : 1, ' ') << c.summary
           << "\n";
    }
}

}  // namespace

void write_atomically(const std::string &path, const std::function<void(std::ostream &)> &write) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) throw_io("cannot write '" + path + "'", path);
        try {
            write(out);
        } catch (...) {
            std::remove(tmp.c_str());
            throw;
        }
        if (!out) {
            std::remove(tmp.c_str());
            throw_io("cannot write '" + path + "' (disk full?)", path);
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw_io("cannot write '" + path + "'", path);
    }
}

std::vector<std::string> split_list(const std::string &list) {
    std::vector<std::string> out;
    std::stringstream ss(list);
    for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

nlohmann::json run_provenance(const std::string &name, const std::vector<std::string> &args) {
    std::string command = "htune " + name;
    for (const std::string &a : args) command += " " + a;
    char date[32];
    std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return {{"command", command}, {"date", date}, {"commit", HTUNE_GIT_COMMIT}};
}

int run_cli(int argc, char **argv) {
    if (argc < 2) {
        print_usage(std::cerr);
        return 2;
    }
    std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        print_usage(std::cout);
        return 0;
    }
    std::vector<std::string> args(argv + 2, argv + argc);
    for (const auto &c : commands()) {
        if (c.name != name) continue;
        try {
            return c.run(args);
        } catch (const Error &e) {
            // Under mpirun every rank parses the same command line: rank 0 alone says what is
            // wrong with it, so a usage error is one line however many ranks there are. The
            // others wait before they exit: mpirun aborts the job when the first rank exits
            // non-zero, and that could cut rank 0 off before its line is out (seen on a busy
            // machine: "htune: error: " and nothing after it).
            const char *rank = std::getenv("OMPI_COMM_WORLD_RANK");
            if (e.kind() == ErrorKind::usage && rank && std::string(rank) != "0") {
                std::this_thread::sleep_for(std::chrono::seconds(3));
                return 2;
            }
            say_error(e.what());
            return e.kind() == ErrorKind::usage ? 2 : 1;
        } catch (const Halide::CompileError &e) {
            say_error(std::string("halide: ") + e.what());
            return 1;
        } catch (const std::exception &e) {
            say_error(e.what());
            return 1;
        }
    }
    say_error("unknown command '" + name + "' (run `htune --help`)");
    return 2;
}

}  // namespace htune
