// Workload selection options shared by every command that takes one workload:
// --op NAME -p k=v ... | --generator-lib LIB --generator NAME -g k=v ...
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "measure/Runner.h"
#include "ops/OpRegistry.h"

namespace htune {

struct WorkloadOptions {
    std::string op, generator_lib, generator;
    std::vector<std::string> params, generator_params;
    bool test_size = false;

    // Adds --op, -p/--param, --generator-lib, --generator, -g/--generator-param, --test-size.
    void add_to(boost::program_options::options_description &desc);
    bool given() const { return !op.empty() || !generator.empty() || !generator_lib.empty(); }
    // Validates the combination and resolves it; throws a usage Error naming the problem.
    WorkloadSpec spec() const;
    Workload workload() const;
};

// The measurement options of every command that measures (sample, tune, compare): --workers,
// --threads, --warmup, --min-repeats, --min-seconds, --compile-timeout, --run-timeout-factor,
// --run-timeout-floor, --memory-limit-mb. One definition, so the commands cannot drift apart.
struct MeasureCliOptions {
    MeasureOptions measure;  // defaults shown in --help are these values
    double memory_limit_mb = kDefaultAddressSpaceBytes >> 20;

    void add_to(boost::program_options::options_description &desc,
                const std::string &compile_timeout_help = "seconds allowed per compile");
    // Checks what the option parser cannot (naming `command` and the option) and returns the
    // MeasureOptions with the address-space limit set. Throws a usage Error.
    MeasureOptions finish(const std::string &command) const;
};

// "0.2", not boost's "0.20000000000000001", for default values in --help.
std::string number_text(double x);
// x with `digits` digits after the point ("%.*f"): the figures of tables and reports.
std::string fixed_text(double x, int digits);

// Parses `args` with `desc` (no positional args unless `positional` is given); throws a usage
// Error for unknown options or bad values. Returns true when --help was asked for (and printed).
bool parse_command_line(const std::string &command, const std::vector<std::string> &args,
                        boost::program_options::options_description &desc,
                        boost::program_options::variables_map &vm,
                        const boost::program_options::positional_options_description *positional = nullptr,
                        const std::string &usage_line = "");

}  // namespace htune
