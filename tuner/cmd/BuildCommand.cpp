// `htune build`: compile one workload ahead of time with the best tuned
// schedule of the target's device type (or the heuristic one, with a warning)
// into NAME.a + NAME.h, plus the schedule as JSON and as Halide C++. The CMake
// module (cmake/htuneTuning.cmake) runs this at build time.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "db/Database.h"
#include "db/DeviceKey.h"
#include "db/Version.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "ops/PipelineIO.h"
#include "schedules/Apply.h"
#include "schedules/Schedule.h"
#include "schedules/Space.h"
#include "tuner/Command.h"
#include "tuner/Verify.h"
#include "tuner/WorkloadOptions.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace htune {

namespace {

struct BuildArgs {
    WorkloadOptions workload;
    std::string db_path, target = "host", out_dir, function_name;
    bool require_tuned = false;
    bool verify = false;  // --verify: re-measure the best records here first (tuner/Verify.h)
    VerifyCliOptions verify_cli;
};

// The schedule to compile and where it came from (the provenance written into
// the header).
struct Chosen {
    Schedule schedule;
    std::string device_key, record_device_key, fallback = "none (heuristic schedule)";
    int64_t record_id = 0;  // 0: the heuristic schedule, not a record
    double min_ms = 0, median_ms = 0;
    int threads = 0;
    std::string trust;  // describe_trust of the record ("" for the heuristic)
};

Halide::Target resolve_target(const std::string &text) {
    if (text == "host") return htune::host_target();
    if (!Halide::Target::validate_target_string(text))
        throw_usage("build: unknown target '" + text +
                    "' (use 'host' or a Halide target string such as x86-64-linux-avx2)");
    return htune::parse_target(text);
}

bool is_c_identifier(const std::string &s) {
    if (s.empty() || !(std::isalpha((unsigned char)s[0]) || s[0] == '_')) return false;
    for (char c : s)
        if (!(std::isalnum((unsigned char)c) || c == '_')) return false;
    return true;
}

std::string read_all(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_text(const fs::path &p, const std::string &text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
    if (!out) throw_io("build: cannot write '" + p.string() + "'", p.string());
}

// Looks the workload up in the database (never writes to it); the heuristic
// when nothing fits.
Chosen choose_schedule(const BuildArgs &a, bool db_given, const Workload &w, const Halide::Target &target) {
    Chosen c;
    c.device_key = current_device(target, default_thread_count()).key();
    const std::string key = w.key();
    std::unique_ptr<Database> db;
    if (db_given || fs::exists(a.db_path)) {
        OpenOptions options;
        options.create = false;  // build only reads: a missing file is an error, never created
        db = open_database(a.db_path, options);
    }
    Lookup found;
    if (db) found = db->best(key, c.device_key);
    if (found.records.empty()) {
        std::string why = "no tuned record for " + key + " on device " + c.device_key +
                          " (or any device with the same target features) in '" + a.db_path + "'";
        if (a.require_tuned)
            throw Error(ErrorKind::usage, "build: " + why + " and --require-tuned was given");
        std::cerr << "htune: warning: " << why << "; using the heuristic schedule\n";
        c.schedule = ScheduleSpace(w, target).heuristic();
        return c;
    }
    const Record &r = found.records.front();
    try {
        c.schedule = r.schedule.get<Schedule>();
    } catch (const std::exception &e) {
        throw Error(ErrorKind::sqlite,
                    "database '" + a.db_path + "': record " + std::to_string(r.id) +
                        " holds a schedule this htune cannot read (" + e.what() + ")",
                    a.db_path);
    }
    c.record_device_key = r.device_key;
    c.fallback = to_string(found.level);
    c.record_id = r.id;
    c.min_ms = r.result.min_ms;
    c.median_ms = r.result.median_ms;
    c.threads = r.result.threads;
    c.trust = describe_trust(r);
    if (found.level != Fallback::exact_device || trust_of(r) != Trust::current)
        std::cerr << "htune: warning: build: the best record (" << r.id << ") of " << key << " is "
                  << (found.level != Fallback::exact_device ? "from device " + r.device_key + ", " : "")
                  << c.trust << "; `htune build --verify` or `htune verify` re-measures it here\n";
    return c;
}

std::string provenance_comment(const Workload &w, const Chosen &c, const Halide::Target &target,
                               const std::string &fn, const std::vector<Halide::Argument> &args) {
    std::ostringstream os;
    os << "// Generated by `htune build` (htune " << htune_version() << ", Halide " << halide_version()
       << "). Do not edit.\n"
       << "//   workload:     " << w.key() << "\n"
       << "//   target:       " << target.to_string() << "\n"
       << "//   device key:   " << c.device_key << "\n"
       << "//   fallback:     " << c.fallback << "\n";
    if (c.record_id) {
        os << "//   record:       " << c.record_id << " (measured on " << c.record_device_key << ")\n"
           << "//   provenance:   " << c.trust << "\n"
           << "//   measured:     " << c.min_ms << " ms min, " << c.median_ms << " ms median, " << c.threads
           << " threads\n";
    } else {
        os << "//   record:       none\n//   measured:     not measured\n";
    }
    os << "//   schedule:     " << schedule_hash(c.schedule) << " (" << fn << ".schedule.json)\n"
       << "//   signature:    int " << fn << "(";
    for (size_t i = 0; i < args.size(); i++) {
        const auto &a = args[i];
        os << (i ? ", " : "")
           << (a.is_buffer() ? "halide_buffer_t *" : Halide::type_to_c_type(a.type, false) + " ") << a.name;
    }
    os << ")\n//   (input buffers by name, then scalar inputs by name, then "
          "outputs in pipeline order)\n";
    return os.str();
}

int run_build(const std::vector<std::string> &args) {
    BuildArgs a;
    a.db_path = kDefaultDatabasePath;
    po::options_description desc("htune build options");
    a.workload.add_to(desc);
    desc.add_options()("db", po::value(&a.db_path),
                       "tuning database to read (default ./htune.db; never written)")(
        "target", po::value(&a.target)->default_value("host"), "'host' or a Halide target string")(
        "output,o", po::value(&a.out_dir), "output directory (required; created if missing)")(
        "function-name", po::value(&a.function_name),
        "name of the generated function and files (default: the op)")(
        "require-tuned", po::bool_switch(&a.require_tuned), "fail instead of using the heuristic schedule")(
        "verify", po::bool_switch(&a.verify),
        "first re-measure the best records here and store the results (like `htune verify`; writes the "
        "database; --target host only)");
    po::options_description verify_desc("with --verify");
    a.verify_cli.add_to(verify_desc);
    desc.add(verify_desc);
    po::variables_map vm;
    if (parse_command_line("build", args, desc, vm, nullptr,
                           "--op NAME [-p k=v ...] | --generator-lib LIB "
                           "--generator NAME [-g k=v ...]  -o DIR "
                           "[--db FILE] [--target host|TARGET] [--function-name "
                           "NAME] [--require-tuned] [--verify [--top K] [--tolerance PCT]]"))
        return 0;
    if (a.out_dir.empty()) throw_usage("build: -o DIR is required");
    if (a.verify && a.target != "host")
        throw_usage("build: --verify measures on this machine: use it with --target host");
    Halide::Target target = resolve_target(a.target);
    Workload w = a.workload.workload();
    std::string fn = a.function_name.empty() ? w.op() : a.function_name;
    if (!is_c_identifier(fn))
        throw_usage("build: function name '" + fn + "' is not a C identifier (use --function-name)");

    if (a.verify) {
        VerifySession session = start_verify_session("build", args, a.db_path, a.verify_cli);
        VerifyWorkload v = verify_workload(w, *session.db, *session.runner, session.verify);
        std::cout << verify_table_header() << "\n" << format_rows(v) << std::flush;
    }
    Chosen c = choose_schedule(a, vm.count("db") > 0, w, target);
    Halide::Pipeline p = w.build();
    apply_schedule(c.schedule, p, target);
    // Argument order: Halide's canonical one (buffers by name, then scalars by
    // name), which is also the order of describe_io's inputs and scalars; the
    // outputs follow in pipeline order.
    std::vector<Halide::Argument> inputs = p.infer_arguments();
    std::string cpp = to_cpp(c.schedule, w.build());

    std::error_code ec;
    fs::create_directories(a.out_dir, ec);
    if (ec || !fs::is_directory(a.out_dir))
        throw_io("build: cannot create output directory '" + a.out_dir + "'", a.out_dir);
    // Compile into a private temporary directory; only a complete, successful
    // build is moved in.
    std::string tmpl = (fs::path(a.out_dir) / (".htune-build-" + fn + "-XXXXXX")).string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data()))
        throw_io("build: cannot create a temporary directory in '" + a.out_dir + "'", a.out_dir);
    fs::path tmp(buf.data());
    struct Cleanup {
        fs::path dir;
        ~Cleanup() {
            std::error_code e;
            fs::remove_all(dir, e);
        }
    } cleanup{tmp};

    p.compile_to_static_library((tmp / fn).string(), inputs, fn, target);
    std::vector<Halide::Argument> sig = inputs;
    for (const Halide::Func &f : p.outputs())
        for (int v = 0; v < f.outputs(); v++)
            sig.emplace_back(strip_unique_suffix(f.name()) + (f.outputs() > 1 ? "_" + std::to_string(v) : ""),
                             Halide::Argument::OutputBuffer, f.output_types()[v], f.dimensions(),
                             Halide::ArgumentEstimates{});
    std::string header = read_all(tmp / (fn + ".h"));
    // Halide derives the include guard from the (temporary) path: make it stable, so that an
    // unchanged build writes an identical header.
    std::smatch guard;
    if (std::regex_search(header, guard, std::regex("#ifndef (HALIDE_[A-Za-z0-9_]*)")))
        header = std::regex_replace(header, std::regex(guard[1].str()), "HALIDE_HTUNE_" + fn + "_h");
    write_text(tmp / (fn + ".h"), provenance_comment(w, c, target, fn, sig) + header);
    write_text(tmp / (fn + ".schedule.json"), nlohmann::json(c.schedule).dump(2) + "\n");
    std::ostringstream cpp_file;
    cpp_file << "// htune schedule " << schedule_hash(c.schedule) << " for " << w.key() << "\n// device "
             << c.device_key << ", " << (c.record_id ? "record " + std::to_string(c.record_id) : "heuristic")
             << "\n"
             << cpp << (cpp.empty() || cpp.back() == '\n' ? "" : "\n");
    write_text(tmp / (fn + ".schedule.cpp"), cpp_file.str());

    // Unchanged files keep their timestamps, so a build system does not relink
    // needlessly.
    int replaced = 0;
    for (const std::string ext : {".a", ".h", ".schedule.json", ".schedule.cpp"}) {
        fs::path from = tmp / (fn + ext), to = fs::path(a.out_dir) / (fn + ext);
        if (fs::exists(to) && read_all(from) == read_all(to)) continue;
        fs::rename(from, to, ec);
        if (ec) throw_io("build: cannot write '" + to.string() + "': " + ec.message(), to.string());
        replaced++;
    }
    std::cout << "built:      " << (fs::path(a.out_dir) / (fn + ".a")).string() << " + " << fn << ".h ("
              << (replaced ? std::to_string(replaced) + " file(s) updated" : "unchanged") << ")\n"
              << "workload:   " << w.key() << "\n"
              << "target:     " << target.to_string() << "\n"
              << "schedule:   " << schedule_hash(c.schedule) << ", "
              << (c.record_id ? "record " + std::to_string(c.record_id) + " (" + c.fallback + ", " + c.trust +
                                    ", " + std::to_string(c.min_ms) + " ms min)"
                              : std::string("heuristic (no tuned record)"))
              << "\n";
    return 0;
}

}  // namespace

Command build_command() {
    return {"build",
            "compile a workload with its best tuned schedule into a static "
            "library + header",
            run_build};
}

}  // namespace htune
