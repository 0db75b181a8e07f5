// Bench program (not a test): what the learned cost model is worth (issue 24). Tunes each
// workload with each search strategy at equal trials over several --seed values, every run with
// `htune tune` into a fresh database of its own, then writes per workload and strategy the
// best-so-far curves, trials to within 5% of the best known time, the final best, the ratios
// "A reaches B's final best in what share of B's trials", and an SVG of the median normalized
// curves. The library is SearchBench.h; bench_report.py turns the JSON into docs/BENCHMARKS.md.
//   htune_bench_search [WORKLOADS] [--strategies LIST] [--seeds N] [--trials N] [--batch-size N]
//                      [--out DIR] [--json FILE] [--quick] [--no-resume] [--run-timeout T]
//                      [--transfer-corpus DB (strategy "transfer": warm start, operator held out)]
//                      [-- MORE htune tune ARGUMENTS]
#include <boost/program_options.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>

#include "measure/Machine.h"
#include "measure/Runner.h"
#include "ops/Error.h"
#include "tuner/Command.h"
#include "tuner/Compare.h"
#include "tuner/Tuner.h"
#include "tuner/WorkloadSet.h"
#include "tuner/bench/SearchBench.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace htune;

namespace {

WorkloadSpec builtin(const std::string &op, bool test_size) { return spec_of(make_workload(op, test_size)); }

// The test Generators named in `names`, at their test sizes, from the build's
// tests/generators/test_workloads.json (absent when the build has no tests: then none).
std::vector<WorkloadSpec> test_generators(const std::vector<std::string> &names) {
    std::vector<WorkloadSpec> out;
    if (!fs::exists(HTUNE_TEST_GENERATOR_WORKLOADS)) {
        std::cerr << "htune_bench_search: warning: no test Generators ('" << HTUNE_TEST_GENERATOR_WORKLOADS
                  << "' is not built; build with tests)" << std::endl;
        return out;
    }
    for (const WorkloadSpec &s : read_workloads_file(HTUNE_TEST_GENERATOR_WORKLOADS))
        for (const std::string &n : names)
            if (s.op == n) out.push_back(s);
    return out;
}

// The default set, for an overnight run (README, "Benchmark: what the cost model is worth"):
// built-in operators at test and at bench size, and everyday-style Generators at test size. The
// bench-size ones are those whose autoscheduler seeds compile in seconds.
std::vector<WorkloadSpec> default_set() {
    std::vector<WorkloadSpec> out;
    for (const char *op : {"matmul", "conv2d", "harris", "bilateral_grid"}) out.push_back(builtin(op, true));
    for (const char *op : {"harris", "unsharp_mask", "stencil_chain"}) out.push_back(builtin(op, false));
    for (auto &s :
         test_generators({"sobel", "unsharp", "camera_pipe", "bilateral_grid", "conv_layer", "iir_blur"}))
        out.push_back(s);
    return out;
}

// --quick: a smoke run of a few minutes.
std::vector<WorkloadSpec> quick_set() {
    std::vector<WorkloadSpec> out = {builtin("matmul", true), builtin("harris", true)};
    for (auto &s : test_generators({"unsharp"})) out.push_back(s);
    return out;
}

std::string trials_text(double x) {
    if (!std::isfinite(x)) return "not reached";
    std::ostringstream os;
    os << x;
    return os.str();
}

void print_summary(std::ostream &os, const BenchSummary &s) {
    for (const WorkloadStats &w : s.workloads) {
        os << w.workload << "  (best known " << (w.best_known_ms > 0 ? std::to_string(w.best_known_ms) : "-")
           << " ms)\n";
        for (const StrategyStats &st : w.strategies)
            os << "  " << std::left << std::setw(10) << st.strategy << std::right << " runs " << st.runs
               << " failed " << st.failed << "  median trials to within 5%: "
               << (st.final_ms.empty() ? "-" : trials_text(st.median_trials_to_within))
               << "  median final best: "
               << (st.median_final_ms > 0 ? std::to_string(st.median_final_ms) : "-") << " ms\n";
        for (const ReachStats &p : w.reach)
            if (p.defined)
                os << "  " << p.a << " to " << p.b << "'s final best (" << p.target_ms << " ms): "
                   << (std::isfinite(p.median_trials) ? trials_text(p.median_trials) + " trials"
                                                      : std::string("not reached"))
                   << " of " << p.b << "'s " << p.b_trials << "\n";
    }
    for (const Headline &h : s.headlines) {
        os << h.a << " vs " << h.b << ", the median of " << h.workloads << " workload(s) (" << h.a
           << " reached " << h.b << "'s final best on " << h.reached << "): ";
        if (std::isfinite(h.median_ratio))
            os << h.a << " needs " << std::setprecision(3) << h.median_ratio << " of " << h.b << "'s trials\n"
               << std::setprecision(6);
        else
            os << "not reached\n";
    }
}

int run(int argc, char **argv) {
    // Everything after "--" goes to every `htune tune` unchanged.
    std::vector<std::string> args, tune_args;
    bool rest = false;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (!rest && a == "--")
            rest = true;
        else
            (rest ? tune_args : args).push_back(a);
    }
    WorkloadSetOptions set;
    SearchBenchOptions o;
    std::string strategies = "guided,evolution,random", json_path, run_timeout;
    bool quick = false, no_resume = false;
    o.htune = HTUNE_BINARY;
    o.out_dir = "bench-search";
    po::options_description desc(
        "htune_bench_search options (workloads as for htune tune; default: the overnight set)");
    set.add_to(desc);
    desc.add_options()("help,h", "this help")("quick", po::bool_switch(&quick),
                                              "the smoke set: 3 test-size workloads, 2 seeds, 40 trials")(
        "strategies", po::value(&strategies)->default_value(strategies), "search strategies, in pair order")(
        "seeds", po::value(&o.seeds), "runs per workload and strategy: --seed 0..N-1 (default 3)")(
        "trials", po::value(&o.trials), "trials per run (default 200)")(
        "batch-size", po::value(&o.batch_size)->default_value(o.batch_size), "htune tune --batch-size")(
        "out", po::value(&o.out_dir)->default_value(o.out_dir), "directory for the runs' databases and logs")(
        "json", po::value(&json_path), "the report (default OUT/search-bench.json); the SVG goes next to it")(
        "no-resume", po::bool_switch(&no_resume),
        "run everything again, even runs an earlier invocation finished")(
        "run-timeout", po::value(&run_timeout),
        "stop a run after this long (e.g. 30m); it is then reported failed")(
        "htune", po::value(&o.htune)->default_value(o.htune), "the htune binary")(
        "transfer-corpus", po::value(&o.transfer_corpus),
        "for the strategy 'transfer': guided, warm-started from a model retrained on this "
        "database with the workload's operator held out (e.g. --strategies transfer,guided)");
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << desc
                  << "\nArguments after -- are passed to every `htune tune` (e.g. -- --min-repeats 5).\n";
        return 0;
    }
    if (!vm.count("seeds")) o.seeds = quick ? 2 : 3;
    if (!vm.count("trials")) o.trials = quick ? 40 : 200;
    o.strategies = split_list(strategies);
    for (const auto &s : o.strategies)
        if (s != "transfer") make_search_strategy(s, SearchOptions{});  // a usage error now
    if (!o.transfer_corpus.empty() && !fs::exists(o.transfer_corpus))
        throw_usage("bench: --transfer-corpus '" + o.transfer_corpus + "' does not exist");
    if (!run_timeout.empty()) o.run_timeout_s = parse_duration(run_timeout);
    o.workloads = set.given() ? set.specs() : quick ? quick_set() : default_set();
    o.tune_args = tune_args;
    o.resume = !no_resume;
    o.log = &std::cerr;
    if (json_path.empty()) json_path = (fs::path(o.out_dir) / "search-bench.json").string();
    const std::string svg_path = fs::path(json_path).replace_extension(".svg").string();

    std::string command = "htune_bench_search";
    for (int i = 1; i < argc; i++) command += std::string(" ") + argv[i];
    nlohmann::json provenance = run_provenance("bench_search", {});
    provenance["command"] = command;
    MeasureOptions defaults;
    const int threads = resolved_threads(defaults);
    MachinePeaks peaks = measure_peaks(threads);
    std::cerr << "htune_bench_search: " << o.workloads.size() << " workload(s) x " << o.strategies.size()
              << " strategies x " << o.seeds << " seeds, " << o.trials << " trials each, out " << o.out_dir
              << "\n"
              << format_peaks(peaks) << std::endl;

    // The runs use a copy of the binary, so that a rebuild during an overnight run cannot give
    // its later runs another htune (each run's summary names its commit all the same).
    fs::create_directories(o.out_dir);
    const std::string pinned = (fs::absolute(o.out_dir) / "htune").string();
    if (fs::absolute(o.htune) != pinned) {
        fs::copy_file(o.htune, pinned, fs::copy_options::overwrite_existing);
        o.htune = pinned;
    }
    std::vector<BenchRun> runs = run_search_bench(o);
    BenchSummary summary = summarize(runs, o.strategies);
    nlohmann::json report = search_bench_json(runs, summary);
    report["run"] = provenance;
    std::string device;
    for (const BenchRun &r : runs)
        if (device.empty()) device = r.device;
    report["machine"] = {{"device_key", device},
                         {"peak_gflops", peaks.peak_gflops},
                         {"bandwidth_gbs", peaks.bandwidth_gbs},
                         {"fma_isa", peaks.fma_isa},
                         {"threads", peaks.threads}};
    report["options"] = {{"strategies", o.strategies}, {"seeds", o.seeds},
                         {"trials", o.trials},         {"batch_size", o.batch_size},
                         {"tune_args", tune_args},     {"quick", quick},
                         {"workloads", o.workloads},   {"transfer_corpus", o.transfer_corpus}};
    report["svg"] = fs::path(svg_path).filename().string();
    std::set<std::string> commits;  // of the htune that made the runs (reused runs may differ)
    for (const BenchRun &r : runs)
        if (!r.commit.empty()) commits.insert(r.commit);
    report["tune_commits"] = commits;
    fs::create_directories(fs::absolute(json_path).parent_path());
    std::ofstream(json_path) << report.dump(1) << "\n";
    int ok_runs = 0;
    for (const BenchRun &r : runs) ok_runs += r.ok;
    std::ostringstream title;
    title << "median of best known / best so far, " << summary.workloads.size() << " workloads x " << o.seeds
          << " seeds, " << o.trials << " trials";
    std::ofstream(svg_path) << search_bench_svg(summary, title.str());
    print_summary(std::cout, summary);
    std::cout << ok_runs << " of " << runs.size() << " runs ok; report " << json_path << ", plot " << svg_path
              << "\n";
    return ok_runs > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char **argv) {
    try {
        return run(argc, argv);
    } catch (const Error &e) {
        std::cerr << "htune_bench_search: error: " << e.what() << "\n";
        return e.kind() == ErrorKind::usage ? 2 : 1;
    } catch (const std::exception &e) {
        std::cerr << "htune_bench_search: error: " << e.what() << "\n";
        return 2;
    }
}
