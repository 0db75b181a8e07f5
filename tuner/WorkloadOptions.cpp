// Shared workload options and command-line parsing for the CLI (see WorkloadOptions.h).
#include "tuner/WorkloadOptions.h"

#include <cstdio>
#include <iostream>
#include <sstream>

#include "ops/Error.h"

namespace po = boost::program_options;

namespace htune {

std::string fixed_text(double x, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, x);
    return buf;
}

std::string number_text(double x) {
    std::ostringstream os;
    os << x;
    return os.str();
}

void MeasureCliOptions::add_to(po::options_description &desc, const std::string &compile_timeout_help) {
    MeasureOptions &m = measure;
    desc.add_options()("workers", po::value(&m.workers)->default_value(m.workers),
                       "worker processes (parallel compiles)")(
        "threads", po::value(&m.threads)->default_value(m.threads), "Halide threads per run (0 = all cores)")(
        "warmup", po::value(&m.warmup)->default_value(m.warmup), "untimed warm-up runs")(
        "min-repeats", po::value(&m.min_repeats)->default_value(m.min_repeats), "minimum timed runs")(
        "min-seconds", po::value(&m.min_seconds)->default_value(m.min_seconds, number_text(m.min_seconds)),
        "minimum total timed seconds per candidate")(
        "compile-timeout",
        po::value(&m.compile_timeout_s)->default_value(m.compile_timeout_s, number_text(m.compile_timeout_s)),
        compile_timeout_help.c_str())(
        "run-timeout-factor",
        po::value(&m.run_timeout_factor)->default_value(m.run_timeout_factor, number_text(m.run_timeout_factor)),
        "run time limit per run, as a multiple of the reference run time")(
        "run-timeout-floor",
        po::value(&m.run_timeout_floor_s)
            ->default_value(m.run_timeout_floor_s, number_text(m.run_timeout_floor_s)),
        "minimum seconds allowed per run job")(
        "memory-limit-mb", po::value(&memory_limit_mb)->default_value(memory_limit_mb, number_text(memory_limit_mb)),
        "address-space limit of each worker, MiB (0 = none)");
}

MeasureOptions MeasureCliOptions::finish(const std::string &command) const {
    if (!(memory_limit_mb >= 0)) throw_usage(command + ": --memory-limit-mb must be >= 0");
    MeasureOptions m = measure;
    m.address_space_bytes = (size_t)(memory_limit_mb * 1024 * 1024);
    return m;  // the rest is checked by make_worker_runner, naming the option
}

void WorkloadOptions::add_to(po::options_description &desc) {
    desc.add_options()
        ("op", po::value(&op), "built-in operator name (see `htune ops`)")
        ("param,p", po::value(&params)->composing(), "operator parameter key=value (repeatable)")
        ("generator-lib", po::value(&generator_lib), "shared library that registers Halide Generators")
        ("generator", po::value(&generator), "registered name of the Generator to use")
        ("generator-param,g", po::value(&generator_params)->composing(),
         "GeneratorParam key=value (repeatable)")
        ("test-size", po::bool_switch(&test_size), "use the operator's small test size as defaults");
}

WorkloadSpec WorkloadOptions::spec() const {
    WorkloadSpec s;
    if (!generator_lib.empty() || !generator.empty()) {
        if (!op.empty()) throw_usage("give either --op or --generator-lib/--generator, not both");
        if (generator_lib.empty()) throw_usage("--generator needs --generator-lib");
        if (generator.empty()) throw_usage("--generator-lib needs --generator NAME");
        if (!params.empty()) throw_usage("use -g key=value for Generator parameters, not -p");
        s.op = generator;
        s.generator_lib = generator_lib;
        for (const auto &g : generator_params) s.params.push_back(parse_assignment(g));
        return s;
    }
    if (op.empty()) throw_usage("no workload given: use --op NAME or --generator-lib/--generator");
    if (!generator_params.empty()) throw_usage("-g is for Generators; use -p key=value for --op");
    s.op = op;
    if (test_size) s.params = find_op(op)->test_params();
    for (const auto &p : params) {
        auto kv = parse_assignment(p);
        bool replaced = false;
        for (auto &e : s.params)
            if (e.first == kv.first) e.second = kv.second, replaced = true;
        if (!replaced) s.params.push_back(kv);
    }
    return s;
}

Workload WorkloadOptions::workload() const { return make_workload(spec()); }

bool parse_command_line(const std::string &command, const std::vector<std::string> &args,
                        po::options_description &desc, po::variables_map &vm,
                        const po::positional_options_description *positional,
                        const std::string &usage_line) {
    desc.add_options()("help,h", "show this help");
    try {
        po::command_line_parser parser(args);
        parser.options(desc);
        if (positional) parser.positional(*positional);
        else parser.positional(po::positional_options_description());
        po::store(parser.run(), vm);
        if (vm.count("help")) {
            std::cout << "usage: htune " << command << " " << usage_line << "\n\n" << desc << "\n";
            return true;
        }
        po::notify(vm);
    } catch (const po::error &e) {
        throw_usage(command + ": " + e.what());
    }
    return false;
}

}  // namespace htune
