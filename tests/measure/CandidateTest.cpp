// Candidates other than Schedule values, through the real worker protocol:
// Halide's default schedule, autoscheduler plugins (working and failing), the
// openblas and onednn kernels; machine peaks.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "measure/Machine.h"
#include "measure/OneDnn.h"
#include "measure/Protocol.h"
#include "measure/Runner.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Space.h"

namespace htune::test {

namespace {

const std::string kPluginDir = "/usr/lib/x86_64-linux-gnu/halide14";  // Debian's libhalide14

MeasureOptions quick() {
    MeasureOptions o;
    o.warmup = 0;
    o.min_repeats = 2;
    o.min_seconds = 0;
    o.worker_exe = HTUNE_BINARY;
    return o;
}

AutoschedulerMachine machine() {
    AutoschedulerMachine m;
    m.parallelism = 2;
    m.last_level_cache_bytes = last_level_cache_bytes();
    return m;
}

}  // namespace

TEST(CandidateTest, CompileJobsRoundTripEveryKind) {
    CompileJob a;
    a.id = 3;
    a.kind = CandidateKind::autoscheduler;
    a.name = "Adams2019";
    a.plugin = "/p.so";
    a.log = "/tmp/x.log";
    a.machine = machine();
    CompileJob b = compile_job_from_json(to_job_json(a));
    EXPECT_EQ(b.kind, CandidateKind::autoscheduler);
    EXPECT_EQ(b.name, "Adams2019");
    EXPECT_EQ(b.plugin, "/p.so");
    EXPECT_EQ(b.log, "/tmp/x.log");
    EXPECT_EQ(b.machine.last_level_cache_bytes, a.machine.last_level_cache_bytes);
    EXPECT_FALSE(b.import_schedule);
    a.import_schedule = true;
    EXPECT_TRUE(compile_job_from_json(to_job_json(a)).import_schedule);
    CompileJob n;
    n.kind = CandidateKind::naive;
    EXPECT_EQ(compile_job_from_json(to_job_json(n)).kind, CandidateKind::naive);
    // Old-style jobs (no "kind") are schedule jobs.
    nlohmann::json old = {{"job", "compile"}, {"id", 1}, {"schedule", nlohmann::json::object()}};
    EXPECT_EQ(compile_job_from_json(old).kind, CandidateKind::schedule);
    EXPECT_THROW(compile_job_from_json({{"job", "compile"}, {"id", 1}, {"kind", "magic"}}), Error);
}

TEST(CandidateTest, CandidatesAndImportsRoundTripThroughJsonWithEveryField) {
    // What `tune --mpi` sends to a measurement host and gets back.
    Workload w = make_workload("blur3x3", true);
    ScheduleSpace space(w, host_target());
    Candidate s = Candidate::of(space.heuristic(), Fault::hang);
    s.run_timeout_s = 2.5;
    s.cutoff_ms = 40;
    s.compile_timeout_s = 12.5;
    Candidate back = nlohmann::json::parse(nlohmann::json(s).dump()).get<Candidate>();
    EXPECT_EQ(back.kind, CandidateKind::schedule);
    EXPECT_EQ(nlohmann::json(back.schedule), nlohmann::json(s.schedule));
    EXPECT_EQ(back.fault, Fault::hang);
    EXPECT_EQ(back.run_timeout_s, 2.5);
    EXPECT_EQ(back.cutoff_ms, 40);
    EXPECT_EQ(back.compile_timeout_s, 12.5);
    Candidate a = Candidate::autoscheduler("Adams2019", "/p.so", machine());
    back = nlohmann::json(a).get<Candidate>();
    EXPECT_EQ(back.kind, CandidateKind::autoscheduler);
    EXPECT_EQ(back.name, "Adams2019");
    EXPECT_EQ(back.plugin_path, "/p.so");
    EXPECT_EQ(back.machine.parallelism, a.machine.parallelism);
    EXPECT_EQ(back.machine.last_level_cache_bytes, a.machine.last_level_cache_bytes);
    EXPECT_EQ(back.machine.balance, a.machine.balance);
    nlohmann::json bad = a;
    bad.erase("fault");
    try {
        bad.get<Candidate>();
        ADD_FAILURE() << "a candidate without 'fault' was read";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("'fault'"), std::string::npos) << e.what();
    }
    ImportedCandidate im;
    im.status = Status::ok;
    im.schedule = space.heuristic();
    im.changes = {"one", "two"};
    im.seconds = 1.5;
    ImportedCandidate im2 = nlohmann::json(im).get<ImportedCandidate>();
    EXPECT_EQ(im2.status, Status::ok);
    EXPECT_EQ(nlohmann::json(im2.schedule), nlohmann::json(im.schedule));
    EXPECT_EQ(im2.changes, im.changes);
    EXPECT_EQ(im2.seconds, 1.5);
}

TEST(CandidateTest, NaiveAutoschedulersAndFailuresInOneBatch) {
    auto runner = make_worker_runner(quick());
    Workload w = make_workload("blur3x3", true);
    std::vector<Candidate> batch = {
        Candidate::naive(),
        Candidate::autoscheduler("Mullapudi2016", kPluginDir + "/libautoschedule_mullapudi2016.so",
                                 machine()),
        Candidate::autoscheduler("Adams2019", HTUNE_TEST_DATA "/not_a_library.so", machine()),
        Candidate::autoscheduler("NoSuchScheduler", kPluginDir + "/libautoschedule_li2018.so", machine()),
        Candidate::external("openblas"),  // not a matmul
    };
    std::vector<MeasureResult> r = runner->measure_candidates(w, batch);
    ASSERT_EQ(r.size(), batch.size());
    EXPECT_EQ(r[0].status, Status::ok) << r[0].error;
    EXPECT_GT(r[0].min_ms, 0);
    EXPECT_EQ(r[1].status, Status::ok) << r[1].error;
    EXPECT_EQ(r[2].status, Status::compile_error);
    EXPECT_FALSE(r[2].error.empty());
    EXPECT_EQ(r[3].status, Status::compile_error);
    EXPECT_NE(r[3].error.find("NoSuchScheduler"), std::string::npos) << r[3].error;
    EXPECT_EQ(r[4].status, Status::compile_error);
    EXPECT_NE(r[4].error.find("matmul"), std::string::npos) << r[4].error;
    EXPECT_GT(runner->reference_seconds(w), 0);
}

TEST(CandidateTest, ImportAutoschedulesGivesValidSchedulesOrTheFailure) {
    auto runner = make_worker_runner(quick());
    Workload w = make_workload("harris", true);
    std::vector<Candidate> batch = {
        Candidate::autoscheduler("Mullapudi2016", kPluginDir + "/libautoschedule_mullapudi2016.so",
                                 machine()),
        Candidate::autoscheduler("Adams2019", kPluginDir + "/libautoschedule_adams2019.so", machine()),
        Candidate::autoscheduler("Adams2019", HTUNE_TEST_DATA "/not_a_library.so", machine()),
    };
    std::vector<ImportedCandidate> r = runner->import_autoschedules(w, batch);
    ASSERT_EQ(r.size(), batch.size());
    ScheduleSpace space(w, htune::host_target());
    for (int i : {0, 1}) {
        EXPECT_EQ(r[i].status, Status::ok) << r[i].error;
        EXPECT_EQ(space.validate(r[i].schedule), "") << batch[i].name;
        EXPECT_GT(r[i].seconds, 0);
    }
    EXPECT_TRUE(r[0].changes.empty());  // Mullapudi2016's harris schedule is in the space as is
    EXPECT_EQ(r[2].status, Status::compile_error);
    EXPECT_NE(r[2].error.find("not_a_library"), std::string::npos) << r[2].error;
    // The imported schedules compute the reference through the ordinary path.
    auto m = runner->measure(w, {r[0].schedule, r[1].schedule});
    EXPECT_EQ(m[0].status, Status::ok) << m[0].error;
    EXPECT_EQ(m[1].status, Status::ok) << m[1].error;
}

TEST(CandidateTest, OpenblasComputesMatmulCorrectly) {
    auto runner = make_worker_runner(quick());
    // Not square, so a swapped layout (M/N/K or lda/ldb) shows up as
    // wrong_output.
    WorkloadSpec s;
    s.op = "matmul";
    s.params = {{"M", "48"}, {"N", "80"}, {"K", "24"}};
    Workload w = make_workload(s);
    std::vector<MeasureResult> r = runner->measure_candidates(w, {Candidate::external("openblas")});
    if (have_openblas()) {
        EXPECT_EQ(r[0].status, Status::ok) << r[0].error;
    } else {
        EXPECT_EQ(r[0].status, Status::compile_error);
        EXPECT_NE(r[0].error.find("libopenblas-dev"), std::string::npos) << r[0].error;
    }
}

// The onednn kernel on every op it computes, through the worker: its output is compared with the
// reference, so a wrong stride, a swapped x/y or kx/ky, a missing bias or ReLU is wrong_output.
// Shapes are small but asymmetric (W != H, CI != CO, M != N != K, batch 2, a 5x5 filter) so that
// such mistakes cannot cancel out.
TEST(CandidateTest, OnednnComputesTheDnnOpsAndMatmulCorrectly) {
    auto runner = make_worker_runner(quick());
    const std::vector<WorkloadSpec> specs = {
        {"conv2d", "", {{"N", "2"}, {"W", "10"}, {"H", "6"}, {"CI", "4"}, {"CO", "16"}, {"K", "5"}}, 0},
        {"conv2d", "", {{"W", "9"}, {"H", "7"}, {"CI", "3"}, {"CO", "8"}}, 0},
        {"depthwise_separable_conv", "", {{"N", "2"}, {"W", "10"}, {"H", "6"}, {"CI", "8"}, {"CO", "16"}}, 0},
        {"matmul", "", {{"M", "48"}, {"N", "80"}, {"K", "24"}}, 0},
        {"softmax", "", {{"rows", "12"}, {"cols", "40"}}, 0},
        {"layernorm", "", {{"rows", "12"}, {"cols", "40"}}, 0},
    };
    for (const WorkloadSpec &s : specs) {
        Workload w = make_workload(s);
        std::vector<MeasureResult> r = runner->measure_candidates(w, {Candidate::external("onednn")});
        ASSERT_EQ(r.size(), 1u);
        if (have_onednn()) {  // built with libdnnl-dev (./test.sh installs it)
            EXPECT_EQ(r[0].status, Status::ok) << w.canonical() << ": " << r[0].error;
            EXPECT_GT(r[0].min_ms, 0) << w.canonical();
            EXPECT_GE(r[0].repeats, 2) << w.canonical();
        } else {
            EXPECT_EQ(r[0].status, Status::compile_error) << w.canonical();
            EXPECT_NE(r[0].error.find("libdnnl-dev"), std::string::npos) << r[0].error;
        }
    }
}

// The CNN and transformer layers (conv, pool, fully_connected, add, attention) through the worker:
// stride, padding, dilation, groups, depthwise, every activation, max/avg/global pooling. As above,
// shapes are asymmetric (W != H, CI != CO, IN != OUT, batch 2) and an output that is not the
// built-in's is wrong_output.
const std::vector<WorkloadSpec> &onednn_layer_specs() {
    static const std::vector<WorkloadSpec> specs = {
        {"conv",
         "",
         {{"N", "2"}, {"W", "11"}, {"H", "9"}, {"CI", "6"}, {"CO", "10"}, {"stride", "2"}, {"act", "relu"}},
         0},
        {"conv",
         "",
         {{"W", "12"},
          {"H", "10"},
          {"CI", "4"},
          {"CO", "8"},
          {"pad", "2"},
          {"dilation", "2"},
          {"act", "gelu"}},
         0},
        {"conv",
         "",
         {{"W", "10"},
          {"H", "7"},
          {"CI", "8"},
          {"CO", "12"},
          {"K", "5"},
          {"pad", "2"},
          {"groups", "2"},
          {"act", "relu6"}},
         0},
        {"conv",
         "",
         {{"N", "2"},
          {"W", "13"},
          {"H", "9"},
          {"CI", "16"},
          {"CO", "16"},
          {"groups", "16"},
          {"stride", "2"},
          {"act", "relu6"}},
         0},
        {"conv",
         "",
         {{"W", "6"}, {"H", "5"}, {"CI", "8"}, {"CO", "16"}, {"K", "1"}, {"pad", "0"}, {"act", "none"}},
         0},
        // Padding wider than the filter: the border outputs are bias + activation.
        {"conv",
         "",
         {{"W", "5"}, {"H", "4"}, {"CI", "3"}, {"CO", "5"}, {"K", "1"}, {"pad", "2"}, {"act", "none"}},
         0},
        {"pool", "", {{"N", "2"}, {"C", "8"}, {"W", "12"}, {"H", "9"}, {"kind", "max"}}, 0},
        {"pool", "", {{"N", "2"}, {"C", "8"}, {"W", "12"}, {"H", "9"}, {"kind", "avg"}}, 0},
        {"pool", "", {{"C", "5"}, {"W", "11"}, {"H", "8"}, {"K", "2"}, {"pad", "0"}, {"kind", "avg"}}, 0},
        {"pool",
         "",
         {{"N", "2"},
          {"C", "12"},
          {"W", "7"},
          {"H", "7"},
          {"K", "7"},
          {"stride", "1"},
          {"pad", "0"},
          {"kind", "avg"}},
         0},
        {"pool",
         "",
         {{"C", "12"}, {"W", "7"}, {"H", "7"}, {"K", "7"}, {"stride", "1"}, {"pad", "0"}, {"kind", "max"}},
         0},
        // Windows wholly in the padding: 0 for avg (max's lowest float: OnednnPoolsWindowsInThePadding).
        {"pool",
         "",
         {{"C", "4"}, {"W", "6"}, {"H", "5"}, {"K", "2"}, {"stride", "1"}, {"pad", "3"}, {"kind", "avg"}},
         0},
        {"fully_connected", "", {{"N", "3"}, {"IN", "24"}, {"OUT", "20"}, {"act", "none"}}, 0},
        {"fully_connected", "", {{"N", "2"}, {"IN", "40"}, {"OUT", "17"}, {"act", "gelu"}}, 0},
        {"add", "", {{"N", "2"}, {"C", "16"}, {"W", "12"}, {"H", "10"}, {"act", "relu"}}, 0},
        {"add", "", {{"C", "5"}, {"W", "7"}, {"H", "3"}, {"act", "none"}}, 0},
        {"attention", "", {{"N", "2"}, {"S", "12"}, {"heads", "3"}, {"D", "8"}}, 0},
        {"attention", "", {{"S", "7"}, {"heads", "2"}, {"D", "5"}}, 0},
    };
    return specs;
}

TEST(CandidateTest, OnednnComputesTheLayerOpsCorrectly) {
    auto runner = make_worker_runner(quick());
    for (const WorkloadSpec &s : onednn_layer_specs()) {
        Workload w = make_workload(s);
        std::vector<MeasureResult> r = runner->measure_candidates(w, {Candidate::external("onednn")});
        ASSERT_EQ(r.size(), 1u);
        if (have_onednn()) {
            EXPECT_EQ(r[0].status, Status::ok) << w.canonical() << ": " << r[0].error;
            EXPECT_GT(r[0].min_ms, 0) << w.canonical();
        } else {
            EXPECT_EQ(r[0].status, Status::compile_error) << w.canonical();
        }
    }
}

// onednn_kernel called directly on inputs scaled beyond the ops' own ranges (x10: conv outputs of
// several units, so relu6's upper clip and gelu's curve are both reached, which the worker's
// inputs do not do), against the reference on the same inputs, with a tolerance of 1e-4 of the
// output's largest value: an activation that is relu where relu6 or gelu was asked for fails.
TEST(CandidateTest, OnednnActivationsMatchTheBuiltinsOnWideInputs) {
    if (!have_onednn()) GTEST_SKIP() << "built without oneDNN";
    const Halide::Target t = host_target();
    for (const char *act : {"relu", "relu6", "gelu", "none"}) {
        std::vector<WorkloadSpec> specs = {
            {"conv",
             "",
             {{"W", "9"},
              {"H", "7"},
              {"CI", "8"},
              {"CO", "12"},
              {"groups", "2"},
              {"stride", "2"},
              {"act", act}},
             0},
            {"fully_connected", "", {{"N", "2"}, {"IN", "24"}, {"OUT", "20"}, {"act", act}}, 0},
            {"add", "", {{"C", "8"}, {"W", "5"}, {"H", "3"}, {"act", act}}, 0},
        };
        for (const WorkloadSpec &s : specs) {
            Workload w = make_workload(s);
            std::vector<Halide::Buffer<>> in = w.make_inputs(7);
            const float scale = s.op == "add" ? 5.0f : 10.0f;  // add: a + b in [-10, 10]
            for (Halide::Buffer<> &b : in) b.as<float>().for_each_value([&](float &v) { v *= scale; });
            std::vector<Halide::Buffer<>> want = w.reference(in, t), got = w.make_outputs();
            onednn_kernel(s, in, 2)(got);
            Halide::Buffer<float> g = got[0].as<float>(), e = want[0].as<float>();
            float largest = 0, lowest = 0, highest = 0;
            e.for_each_value([&](float v) {
                largest = std::max(largest, std::abs(v));
                lowest = std::min(lowest, v);
                highest = std::max(highest, v);
            });
            double worst = 0;
            g.for_each_element(
                [&](const int *pos) { worst = std::max(worst, (double)std::abs(g(pos) - e(pos))); });
            EXPECT_LE(worst, 1e-4 * largest) << w.canonical() << ": largest " << largest;
            // The inputs do reach what tells the activations apart.
            if (std::string(act) == "relu6") EXPECT_EQ(highest, 6.0f) << w.canonical();
            if (std::string(act) == "gelu") EXPECT_LT(lowest, -0.01f) << w.canonical();  // relu: >= 0
            if (std::string(act) == "none") EXPECT_GT(highest, 6.0f) << w.canonical();
        }
    }
}

// Max pooling windows wholly in the padding (pad >= K) are the lowest float in the built-in; the
// worker's check cannot tell (its absolute tolerance scales with the largest output), so the
// kernel's output is compared here element by element.
TEST(CandidateTest, OnednnPoolsWindowsInThePadding) {
    if (!have_onednn()) GTEST_SKIP() << "built without oneDNN";
    for (const char *kind : {"max", "avg"}) {
        WorkloadSpec s{
            "pool",
            "",
            {{"C", "4"}, {"W", "6"}, {"H", "5"}, {"K", "2"}, {"stride", "1"}, {"pad", "3"}, {"kind", kind}},
            0};
        Workload w = make_workload(s);
        std::vector<Halide::Buffer<>> in = w.make_inputs(3);
        std::vector<Halide::Buffer<>> want = w.reference(in, host_target()), got = w.make_outputs();
        onednn_kernel(s, in, 1)(got);
        Halide::Buffer<float> g = got[0].as<float>(), e = want[0].as<float>();
        EXPECT_EQ(e(0, 0, 0, 0), std::string(kind) == "max" ? std::numeric_limits<float>::lowest() : 0.0f);
        int differ = 0;
        g.for_each_element([&](const int *pos) { differ += std::abs(g(pos) - e(pos)) > 1e-6f; });
        EXPECT_EQ(differ, 0) << kind;
    }
}

TEST(CandidateTest, OnednnNamesTheOpsItComputesForAnyOther) {
    EXPECT_EQ(onednn_unsupported({"conv2d", "", {}, 0}), "");
    EXPECT_EQ(onednn_unsupported({"layernorm", "", {}, 0}), "");
    for (const char *op : {"conv", "pool", "fully_connected", "add", "attention"})
        EXPECT_EQ(onednn_unsupported({op, "", {}, 0}), "") << op;
    std::string gen = onednn_unsupported({"conv2d", "libmygen.so", {}, 0});
    EXPECT_NE(gen.find("not the Generator 'conv2d'"), std::string::npos) << gen;
    // resnet_block is a DNN op too, but not one oneDNN primitive: the row says so, the worker
    // refuses it (compile_error), and the batch goes on.
    auto runner = make_worker_runner(quick());
    for (const char *op : {"blur3x3", "resnet_block"}) {
        Workload w = make_workload(op, true);
        std::vector<MeasureResult> r =
            runner->measure_candidates(w, {Candidate::external("onednn"), Candidate::naive()});
        ASSERT_EQ(r.size(), 2u);
        EXPECT_EQ(r[0].status, Status::compile_error) << op;
        EXPECT_EQ(r[0].error, onednn_unsupported(spec_of(w)));
        const std::string ops =
            "onednn computes only the built-in conv2d, conv, depthwise_separable_conv, pool";
        EXPECT_NE(r[0].error.find(ops), std::string::npos) << r[0].error;
        EXPECT_NE(r[0].error.find(std::string("not '") + op + "'"), std::string::npos) << r[0].error;
        EXPECT_EQ(r[1].status, Status::ok) << r[1].error;
    }
}

// Independent, deliberately simple measures of one thread: eight chains of scalar
// multiply-adds (2 flops each) and a memcpy of 32 MiB (read + write). The best of 3 runs each.
double scalar_fma_gflops() {
    double best = 0;
    for (int run = 0; run < 3; run++) {
        volatile float seed = 1.0f;
        float a[8], b = 0.9999f, c = 1e-4f;
        for (float &x : a) x = seed;
        const long iters = 20'000'000;
        auto t0 = std::chrono::steady_clock::now();
        for (long i = 0; i < iters; i++)
            for (float &x : a) x = x * b + c;
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        volatile float sink = a[0] + a[7];
        (void)sink;
        best = std::max(best, 2.0 * 8 * iters / s / 1e9);
    }
    return best;
}

double memcpy_gbs() {
    const size_t n = size_t(32) << 20;
    std::vector<char> src(n, 1), dst(n, 0);
    double best = 0;
    for (int run = 0; run < 3; run++) {
        auto t0 = std::chrono::steady_clock::now();
        std::memcpy(dst.data(), src.data(), n);
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        volatile char sink = dst[n / 2];
        (void)sink;
        best = std::max(best, 2.0 * n / s / 1e9);
    }
    return best;
}

// The peaks `compare` prints as "% of peak" must be plausible for this machine, not merely
// positive: at least what one scalar thread does (the vector kernel on two threads is far
// faster; a broken or mis-counted kernel is not), at most what any x86 core could do (2 FMA
// units x 16 fp32 lanes x 2 flops at 6 GHz per thread, i.e. 384 GFLOP/s per thread); the
// bandwidth at least a tenth of one thread's memcpy and under 1 TB/s.
TEST(CandidateTest, PeaksArePlausibleAgainstAnIndependentMeasure) {
    MachinePeaks p = measure_peaks(2, uint64_t(32) << 20);
    const double scalar = scalar_fma_gflops(), copy = memcpy_gbs();
    EXPECT_GE(p.peak_gflops, scalar) << p.fma_isa << " vs scalar " << scalar;
    EXPECT_LE(p.peak_gflops, 2 * 384.0) << p.fma_isa;
    EXPECT_GE(p.bandwidth_gbs, copy / 10) << "memcpy " << copy;
    EXPECT_LE(p.bandwidth_gbs, 1000.0);
    EXPECT_GT(last_level_cache_bytes(), 0u);
}

}  // namespace htune::test
