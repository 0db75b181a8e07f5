// to_cpp equivalence: the emitted C++ schedule, compiled into a program next to the same
// algorithm, lowers to the same statement as apply_schedule() does.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Apply.h"
#include "schedules/Import.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/Space.h"
#include "tests/RunCommand.h"
#include "tests/schedules/AdamsUnsharp.h"

namespace htune {

namespace {

struct Case {
    WorkloadSpec spec;
    Schedule schedule;
};

std::string cpp_string(const std::string &s) {
    std::string out = "R\"HTUNE(";
    out += s;
    out += ")HTUNE\"";
    return out;
}

// One program that lowers every case twice: through apply_schedule and through the pasted
// to_cpp text. Each lowering writes a .stmt file; the test compares them.
std::string program(const std::vector<Case> &cases, const std::string &dir) {
    std::ostringstream os;
    os << "#include \"ops/OpRegistry.h\"\n#include \"schedules/Apply.h\"\n"
          "#include \"schedules/PipelineAnalysis.h\"\nusing namespace Halide;\nusing namespace htune;\n"
          "static void lower(Pipeline p, const std::string &file) {\n"
          "  p.compile_to_lowered_stmt(file, p.infer_arguments(), Text, get_host_target());\n}\n"
          "int main() {\n";
    for (size_t i = 0; i < cases.size(); i++) {
        const Case &c = cases[i];
        Halide::Pipeline p = make_workload(c.spec).build();
        os << "  {\n    Workload w = make_workload(nlohmann::json::parse("
           << cpp_string(nlohmann::json(c.spec).dump()) << ").get<WorkloadSpec>());\n"
           << "    Schedule s = nlohmann::json::parse(" << cpp_string(nlohmann::json(c.schedule).dump())
           << ").get<Schedule>();\n"
           << "    Pipeline a = w.build();\n    apply_schedule(s, a, get_host_target());\n"
           << "    lower(a, \"" << dir << "/applied" << i << ".stmt\");\n"
           << "    Pipeline b = w.build();\n    auto fns = functions_by_stable_name(b);\n";
        for (const auto &kv : functions_by_stable_name(p)) {
            std::string id = kv.first;
            for (char &ch : id)
                if (!std::isalnum((unsigned char)ch) && ch != '_') ch = '_';
            os << "    Func " << id << "(fns.at(\"" << kv.first << "\"));\n";
        }
        os << "    {\n" << to_cpp(c.schedule, p) << "    }\n";
        os << "    lower(b, \"" << dir << "/pasted" << i << ".stmt\");\n  }\n";
    }
    os << "  return 0;\n}\n";
    return os.str();
}

// Lowered statements carry process-dependent numbers: "$N" name suffixes (sanitized to "_N" or
// "__N" in symbol names) and temporaries "tN". Halide's unique_name also rewrites a name's '$'
// to '_' when it suffixes one the process made before ("f.s1.r$x.epilogue" the first time,
// "f.s1.r_x.epilogue$1" the second): canonical pipelines reuse the same names in every build.
// Drop all of it from both sides before comparing, except in the names of the pipeline's own
// Funcs ("gPyramid_0" and "gPyramid_1" of local_laplacian must stay different): those are
// protected first by spelling their underscores so that no suffix rule matches them.
// Halide's simplifier also orders the operands of a commutative operation by name, and the
// names differ in those suffixes: "(f.s1.r_x.r_x_o.epilogue + f.s1.r_x.r_x_o.rebased)" on one
// side is "(...rebased + ...epilogue)" on the other. So a parenthesized sum or product of two
// names is written with its operands sorted.
std::string normalized(const std::string &stmt, const std::vector<std::string> &func_names = {}) {
    std::string s = stmt;
    static const std::regex numbered(".*_[0-9]+");
    for (const std::string &name : func_names) {
        if (!std::regex_match(name, numbered)) continue;
        std::string spelled = std::regex_replace(name, std::regex("_"), "ZuZ");
        // Whole names only: not preceded or followed by another identifier character.
        std::regex whole("(^|[^A-Za-z0-9_$])" + name + "(?=[^A-Za-z0-9_]|$)");
        s = std::regex_replace(s, whole, "$1" + spelled);
    }
    s = std::regex_replace(s, std::regex("[$]"), "_");
    s = std::regex_replace(s, std::regex("_+[0-9]+"), "");
    s = std::regex_replace(s, std::regex("\\bt[0-9]+\\b"), "t");
    static const std::regex pair("\\(([A-Za-z_][A-Za-z0-9_.]*) ([+*]) ([A-Za-z_][A-Za-z0-9_.]*)\\)");
    std::string out;
    auto begin = std::sregex_iterator(s.begin(), s.end(), pair);
    size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
        const std::smatch &m = *it;
        std::string a = m[1], b = m[3];
        if (b < a) std::swap(a, b);
        out += s.substr(last, m.position(0) - last) + "(" + a + " " + m[2].str() + " " + b + ")";
        last = m.position(0) + m.length(0);
    }
    return out + s.substr(last);
}

}  // namespace

TEST(ToCppTest, NormalizationDropsOnlyProcessNumbers) {
    const std::vector<std::string> funcs = {"gPyramid_0", "gPyramid_1", "blur_y"};
    EXPECT_EQ(normalized("f$3.s0.x + f$3.s1.r$x", funcs), normalized("f$12.s0.x + f$12.s1.r_x", funcs));
    EXPECT_EQ(normalized("t12 = blur_y_intm_1.buffer", funcs), normalized("t7 = blur_y_intm.buffer", funcs));
    EXPECT_NE(normalized("gPyramid_0.s0.x", funcs), normalized("gPyramid_1.s0.x", funcs));
    EXPECT_NE(normalized("(gPyramid_0[t3] + gPyramid_1[t4])", funcs),
              normalized("(gPyramid_1[t3] + gPyramid_1[t4])", funcs));
    // A Func's name followed by Halide's own number still loses the number.
    EXPECT_EQ(normalized("gPyramid_0$2.s0.x", funcs), normalized("gPyramid_0.s0.x", funcs));
}

TEST(ToCppTest, EmittedCppLowersToTheSameStatement) {
    Halide::Target t = htune::host_target();
    std::vector<Case> cases;
    std::mt19937_64 rng(3);
    for (const WorkloadSpec &spec :
         {WorkloadSpec{"matmul", "", {{"M", "64"}, {"N", "64"}, {"K", "64"}}},
          WorkloadSpec{"blur3x3", "", {{"W", "256"}, {"H", "128"}}},
          WorkloadSpec{"sharpen_blend", HTUNE_EXAMPLE_GEN, {{"width", "64"}, {"height", "48"}}}}) {
        ScheduleSpace space(make_workload(spec), t);
        cases.push_back({spec, space.heuristic()});
        cases.push_back({spec, space.sample(rng)});
        cases.push_back({spec, space.sample(rng)});
    }
    {
        // rfactor: the first rfactor'd samples of matmul (the intermediate is created by the
        // pasted C++ as well).
        WorkloadSpec spec{"matmul", "", {{"M", "64"}, {"N", "64"}, {"K", "64"}}};
        ScheduleSpace space(make_workload(spec), t);
        std::mt19937_64 r(11);
        int found = 0;
        for (int i = 0; i < 300 && found < 2; i++) {
            Schedule s = space.sample(r);
            if (nlohmann::json(s).dump().find("rfactor") == std::string::npos) continue;
            cases.push_back({spec, s});
            found++;
        }
        EXPECT_EQ(found, 2);
    }
    {
        // reorder_storage and a vector loop over a channel: bilateral_grid's gather sketches.
        WorkloadSpec spec{"bilateral_grid", "", {{"W", "32"}, {"H", "24"}, {"s_sigma", "4"}}};
        ScheduleSpace space(make_workload(spec), t);
        int found = 0;
        for (const Schedule &s : space.sketches())
            if (!s.funcs.at("interpolated").storage.empty() && found++ == 0) cases.push_back({spec, s});
        EXPECT_GT(found, 0);
    }
    {
        // A private copy (Func::in): local_laplacian's sketch that wraps gPyramid_0 for the
        // downsampling (the pasted C++ creates the wrapper as well).
        WorkloadSpec spec{"local_laplacian", "", {{"W", "64"}, {"H", "48"}, {"J", "3"}, {"levels", "4"}}};
        ScheduleSpace space(make_workload(spec), t);
        int found = 0;
        for (const Schedule &s : space.sketches())
            if (!s.funcs.at("gPyramid_0").wrap.empty() && found++ == 0) cases.push_back({spec, s});
        EXPECT_GT(found, 0);
    }
    {
        // Storage where the consumer is computed (Adams2019's unsharp: gray computed at detail's
        // y, stored at output's x where detail is computed) and an inner split that does not
        // divide its tile, shifted inwards (32 columns in tiles of 3).
        WorkloadSpec spec{"unsharp", HTUNE_TEST_GENERATORS, {{"width", "64"}, {"height", "48"}}};
        Workload w = make_workload(spec);
        ScheduleSpace space(w, t);
        Halide::Pipeline p = w.build();
        schedule_like_adams2019_unsharp(p, /*inner_by_3=*/true);
        ImportedSchedule im = import_schedule(p, space);
        EXPECT_TRUE(im.changes.empty()) << im.changes[0];
        ASSERT_TRUE(im.schedule.funcs.at("gray").store_with_consumer);
        ASSERT_EQ(im.schedule.funcs.at("output").stages.at(0).splits.at(1).tail, "shift_inwards");
        cases.push_back({spec, im.schedule});
    }
    std::string dir = test::temp_dir();
    {
        std::ofstream out(dir + "/prog.cpp");
        out << program(cases, dir);
    }
    test::CommandResult build = test::run_shell(std::string("g++ -std=c++17 -O0 -I") + HTUNE_SOURCE_DIR +
                                                " -I/usr/include/halide14 " + dir + "/prog.cpp -o " + dir +
                                                "/prog " + HTUNE_STATIC_LIBS + " -lHalide14 -ldl -lpthread");
    ASSERT_EQ(build.exit_code, 0) << build.err.substr(0, 4000);
    test::CommandResult run = test::run_shell(dir + "/prog");
    ASSERT_EQ(run.exit_code, 0) << run.err;
    for (size_t i = 0; i < cases.size(); i++) {
        std::string a = test::read_file(dir + "/applied" + std::to_string(i) + ".stmt");
        std::string b = test::read_file(dir + "/pasted" + std::to_string(i) + ".stmt");
        ASSERT_FALSE(a.empty());
        std::vector<std::string> funcs;
        for (const auto &kv : cases[i].schedule.funcs) funcs.push_back(kv.first);
        std::istringstream la(normalized(a, funcs)), lb(normalized(b, funcs));
        std::string x, y;
        int line = 0;
        bool same = true;
        while (same) {
            bool ea = !std::getline(la, x), eb = !std::getline(lb, y);
            line++;
            if (ea || eb) {
                same = ea == eb;
                break;
            }
            same = x == y;
        }
        EXPECT_TRUE(same) << "case " << i << " differs at line " << line
                          << ":\n  applied: " << x.substr(0, 300) << "\n  pasted:  " << y.substr(0, 300)
                          << "\n"
                          << nlohmann::json(cases[i].schedule).dump();
    }
    if (!::testing::Test::HasFailure()) test::run_shell("rm -rf " + dir);
}

}  // namespace htune
