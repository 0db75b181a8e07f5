// htune on real Generators: every Generator of the everyday-style corpus (tests/generators, at
// its test size) gets names that do not depend on the process, a heuristic schedule that
// computes its reference, a space whose samples are valid and apply, autoscheduler seeds that
// import, and a short tune whose record `best` and `build` use. The >= 90% ok figure of
// `htune sample --count 50` is a benchmark (README), not a test.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <regex>

#include "measure/Runner.h"
#include "ops/CanonicalPipeline.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Apply.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/Space.h"
#include "tests/QuickMeasure.h"
#include "tests/RunCommand.h"

namespace htune {

namespace {

std::vector<WorkloadSpec> corpus() {
    std::ifstream in(HTUNE_TEST_GENERATOR_WORKLOADS);
    return nlohmann::json::parse(in).get<std::vector<WorkloadSpec>>();
}

std::vector<std::string> corpus_names() {
    std::vector<std::string> out;
    for (const auto &s : corpus()) out.push_back(s.op);
    return out;
}

WorkloadSpec spec_named(const std::string &name) {
    for (const auto &s : corpus())
        if (s.op == name) return s;
    throw std::runtime_error("no corpus Generator " + name);
}

// "name(args) [update over rvars]" for every Func, as `htune ops` prints its stages.
std::vector<std::string> stage_lines(const std::string &ops_output) {
    std::vector<std::string> out;
    std::istringstream in(ops_output);
    std::string line;
    bool stages = false;
    while (std::getline(in, line)) {
        if (line.rfind("stages:", 0) == 0)
            stages = true;
        else if (stages && line.rfind("  ", 0) == 0)
            out.push_back(line);
        else if (stages)
            break;
    }
    return out;
}

std::string generator_args(const WorkloadSpec &s) {
    std::string a = "--generator-lib " + s.generator_lib + " --generator " + s.op;
    for (const auto &kv : s.params) a += " -g " + kv.first + "=" + kv.second;
    return a;
}

class Corpus : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST(GeneratorCorpus, CoversTheConstructsOfRealGenerators) {
    std::vector<std::string> names = corpus_names();
    EXPECT_GE(names.size(), 8u);
    // Everything Halide names from its counters gets a structural name instead.
    std::regex counter_named("\\$[0-9]|(^|[^A-Za-z_])(f|v|r|lambda_)[0-9]{2,}");
    std::set<std::string> seen;
    for (const auto &spec : corpus()) {
        Workload w = make_workload(spec);
        PipelineAnalysis a(w.build());
        for (const FuncInfo &f : a.funcs()) {
            std::string all = f.name;
            for (const auto &st : f.stages)
                for (const auto &l : st.default_order) all += " " + l;
            EXPECT_FALSE(std::regex_search(all, counter_named)) << spec.op << ": " << all;
            for (const char *kind : {"lambda", "repeat_edge", "sum", "maximum", "minimum", "argmin", "f#"})
                if (f.name.rfind(kind, 0) == 0) seen.insert(kind);
            for (const auto &st : f.stages)
                if (!st.rvars.empty() && st.rvars[0].rfind("r$", 0) == 0) seen.insert("unnamed RDom");
        }
    }
    for (const char *kind :
         {"lambda", "repeat_edge", "sum", "maximum", "minimum", "argmin", "f#", "unnamed RDom"})
        EXPECT_TRUE(seen.count(kind)) << kind;
}

TEST_P(Corpus, NamesAreTheSameInAnotherProcessAndAfterOtherPipelines) {
    WorkloadSpec spec = spec_named(GetParam());
    // Five other pipelines first: Halide's counters move on.
    int built = 0;
    for (const auto &other : corpus())
        if (other.op != spec.op && built++ < 5) make_workload(other).build();
    test::CommandResult fresh = test::run_htune("ops " + generator_args(spec));
    ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
    test::CommandResult here = test::run_htune("ops " + generator_args(spec));
    std::vector<std::string> lines = stage_lines(fresh.out);
    ASSERT_FALSE(lines.empty()) << fresh.out;
    EXPECT_EQ(lines, stage_lines(here.out));
    // This process (which built five other pipelines) names every Func the same way.
    Workload w = make_workload(spec);
    std::set<std::string> in_process;
    PipelineAnalysis a(w.build());
    for (const FuncInfo &f : a.funcs()) in_process.insert(f.name);
    for (const std::string &l : lines) {
        std::string name = l.substr(2, l.find('(') - 2);
        if (name.find("_im") == std::string::npos) EXPECT_TRUE(in_process.count(name)) << name;
    }
    // A size change keeps the names (records transfer between parameter settings).
    WorkloadSpec bigger = spec;
    for (auto &kv : bigger.params)
        if (kv.first == "width") kv.second = "80";
    std::set<std::string> resized;
    PipelineAnalysis b(make_workload(bigger).build());
    for (const FuncInfo &f : b.funcs()) resized.insert(f.name);
    EXPECT_EQ(resized, in_process);
}

TEST_P(Corpus, SamplesAreValidAndTheHeuristicComputesTheReference) {
    Workload w = make_workload(spec_named(GetParam()));
    Halide::Target t = host_target();
    ScheduleSpace space(w, t);
    std::mt19937_64 rng(7);
    std::vector<Schedule> measured = {space.heuristic()};
    for (int i = 0; i < 50; i++) {
        Schedule s = space.sample(rng);
        ASSERT_EQ(space.validate(s), "") << nlohmann::json(s).dump();
        Halide::Pipeline p = w.build();
        EXPECT_NO_THROW(apply_schedule(s, p, t)) << nlohmann::json(s).dump();
        if (i < 1) measured.push_back(s);
    }
    auto runner = make_worker_runner(test::quick_measure());
    std::vector<MeasureResult> r = runner->measure(w, measured);
    EXPECT_EQ(r[0].status, Status::ok) << "heuristic: " << r[0].error;
    for (size_t i = 1; i < r.size(); i++) EXPECT_NE(r[i].status, Status::compile_error) << r[i].error;
}

TEST_P(Corpus, AutoschedulerSchedulesImportIntoTheSpace) {
    // HL_BEAM_SIZE=1: Adams2019's greedy search (its workers inherit the environment), to keep
    // the test short; the full beam search is the benchmark's (README, docs/BENCHMARKS.md).
    setenv("HL_BEAM_SIZE", "1", 1);
    auto runner = make_worker_runner(test::quick_measure());
    AutoschedulerMachine m;
    m.parallelism = 2;
    m.last_level_cache_bytes = 16 << 20;
    std::vector<Candidate> plugins;
    for (const char *name : {"Mullapudi2016", "Adams2019"}) {
        std::string lower = name == std::string("Adams2019") ? "adams2019" : "mullapudi2016";
        plugins.push_back(Candidate::autoscheduler(
            name, std::string(HTUNE_HALIDE_PLUGIN_DIR) + "/libautoschedule_" + lower + ".so", m));
    }
    Workload w = make_workload(spec_named(GetParam()));
    ScheduleSpace space(w, host_target());
    std::vector<ImportedCandidate> got = runner->import_autoschedules(w, plugins);
    ASSERT_EQ(got.size(), 2u);
    for (size_t i = 0; i < got.size(); i++) {
        EXPECT_EQ(got[i].status, Status::ok) << plugins[i].name << ": " << got[i].error;
        if (got[i].status == Status::ok) {
            EXPECT_EQ(space.validate(got[i].schedule), "") << plugins[i].name;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Generators, Corpus, ::testing::ValuesIn(corpus_names()),
                         [](const auto &info) { return info.param; });

TEST(GeneratorCorpus, AShortTuneStoresRecordsThatBestAndBuildUse) {
    std::string dir = test::temp_dir(), db = dir + "/corpus.db";
    // Three Generators of different kinds (stencil with lambdas, inline reductions, two
    // outputs) keep the test short; the whole corpus is the README's benchmark.
    std::string file = dir + "/three.json";
    {
        nlohmann::json three = nlohmann::json::array();
        for (const char *name : {"sobel", "attention", "camera_pipe"}) three.push_back(spec_named(name));
        std::ofstream(file) << three.dump();
    }
    test::CommandResult tune =
        test::run_htune("tune --workloads " + file + " --trials 4 --batch-size 4 --db " + db +
                        " --seed-autoschedulers none --confirm 0 --warmup 0 --min-repeats 1");
    ASSERT_EQ(tune.exit_code, 0) << tune.out << tune.err;
    for (const char *name : {"sobel", "attention", "camera_pipe"}) {
        WorkloadSpec spec = spec_named(name);
        test::CommandResult best = test::run_htune("best " + generator_args(spec) + " --db " + db);
        EXPECT_EQ(best.exit_code, 0) << best.err;
        EXPECT_NE(best.out.find("exact device"), std::string::npos) << best.out;
    }
    test::CommandResult build = test::run_htune("build " + generator_args(spec_named("camera_pipe")) +
                                                " --db " + db + " -o " + dir + "/lib");
    ASSERT_EQ(build.exit_code, 0) << build.err;
    EXPECT_NE(build.out.find("record "), std::string::npos) << build.out;
    std::string header = test::read_file(dir + "/lib/camera_pipe.h");
    // Both outputs, under the names the Generator gave them.
    EXPECT_NE(header.find("processed"), std::string::npos);
    EXPECT_NE(header.find("preview"), std::string::npos);
    test::run_shell("rm -rf " + dir);
}

}  // namespace htune
