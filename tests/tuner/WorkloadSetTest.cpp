// Many-workload selection (tuner/WorkloadSet.h): suites, repeated --op, files,
// bad input.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "ops/Error.h"
#include "tuner/WorkloadSet.h"

namespace htune {
namespace {

std::string write_file(const std::string &name, const std::string &text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(WorkloadSet, SuitesListEveryBuiltinOperator) {
  auto def = suite_specs("default");
  auto small = suite_specs("small");
  ASSERT_EQ(def.size(), builtin_ops().size());
  ASSERT_EQ(small.size(), builtin_ops().size());
  EXPECT_EQ(def[0].op, builtin_ops()[0]->name());
  // Test sizes are smaller than bench sizes: matmul's params are overridden.
  bool found = false;
  for (const auto &s : small)
    if (s.op == "matmul")
      found = !s.params.empty();
  EXPECT_TRUE(found);
  EXPECT_NE(make_workload(def[0]).key(), make_workload(small[0]).key());
  EXPECT_THROW(suite_specs("huge"), Error);
}

TEST(WorkloadSet, TheCorpusHasEveryOperatorFromTestToBenchSize) {
    auto corpus = suite_specs("corpus");
    std::map<std::string, std::vector<WorkloadSpec>> by_op;
    std::set<std::string> keys;
    for (const auto &s : corpus) {
        by_op[s.op].push_back(s);
        EXPECT_TRUE(keys.insert(make_workload(s).key()).second) << s.op;
    }
    ASSERT_EQ(by_op.size(), builtin_ops().size());
    for (const auto &alg : builtin_ops()) {
        const auto &settings = by_op.at(alg->name());
        EXPECT_EQ(settings.front().params, alg->test_params()) << alg->name();
        EXPECT_TRUE(settings.back().params.empty()) << alg->name();  // bench
        if (!alg->test_params().empty()) EXPECT_GE(settings.size(), 3u) << alg->name();
    }
    // matmul 64 -> 1024: a third and two thirds of the way on a log scale.
    const auto &mm = by_op.at("matmul");
    ASSERT_EQ(mm.size(), 4u);
    EXPECT_EQ(mm[1].params,
              (std::vector<std::pair<std::string, std::string>>{{"M", "161"}, {"N", "161"}, {"K", "161"}}));
    EXPECT_EQ(mm[2].params,
              (std::vector<std::pair<std::string, std::string>>{{"M", "406"}, {"N", "406"}, {"K", "406"}}));
}

TEST(WorkloadSet, RepeatedOpsAndDuplicatesRemoved) {
  WorkloadSetOptions o;
  o.ops = {"matmul", "blur3x3", "matmul"};
  auto specs = o.specs();
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].op, "matmul");
  EXPECT_EQ(specs[1].op, "blur3x3");
}

TEST(WorkloadSet, ParamsNeedExactlyOneOp) {
  WorkloadSetOptions o;
  o.ops = {"matmul"};
  o.params = {"M=64"};
  auto specs = o.specs();
  ASSERT_EQ(specs.size(), 1u);
  EXPECT_NE(make_workload(specs[0]).canonical().find("M=64"),
            std::string::npos);
  o.ops = {"matmul", "blur3x3"};
  try {
    o.specs();
    FAIL() << "expected a usage error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("exactly one --op"), std::string::npos)
        << e.what();
  }
}

TEST(WorkloadSet, NothingSelectedIsAUsageError) {
  WorkloadSetOptions o;
  EXPECT_THROW(o.specs(), Error);
  o.ops = {"no_such_op"};
  try {
    o.specs();
    FAIL();
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("no_such_op"), std::string::npos);
  }
}

TEST(WorkloadSet, FileWithOpsAndGeneratorRelativeToFile) {
  std::string path = write_file("wl.json", R"([
        {"op": "matmul", "params": {"M": 32, "N": 32, "K": 16}},
        {"op": "sharpen_blend", "generator_lib": "lib/libgen.so", "params": {"width": "64"}}])");
  auto specs = read_workloads_file(path);
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].op, "matmul");
  EXPECT_TRUE(specs[1].is_generator());
  EXPECT_EQ(specs[1].generator_lib.rfind('/') != std::string::npos, true);
  EXPECT_NE(specs[1].generator_lib.find("/lib/libgen.so"), std::string::npos);
  EXPECT_EQ(specs[1].generator_lib[0], '/');
  // The {"workloads": [...]} form too, and with the real example Generator.
  std::string gen = write_file(
      "wl2.json",
      std::string(
          R"({"workloads": [{"op": "sharpen_blend", "generator_lib": ")") +
          HTUNE_EXAMPLE_GEN +
          R"(", "params": {"width": "64", "height": "48"}}]})");
  WorkloadSetOptions o;
  o.workloads_file = gen;
  auto g = o.specs();
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].op, "sharpen_blend");
}

TEST(WorkloadSet, BadFilesNameTheProblem) {
  auto msg = [](const std::string &path) {
    try {
      read_workloads_file(path);
    } catch (const Error &e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg("/nonexistent/wl.json").find("cannot read"), std::string::npos);
  EXPECT_NE(msg(write_file("bad1.json", "{not json")).find("not valid JSON"),
            std::string::npos);
  EXPECT_NE(msg(write_file("bad2.json", "[]")).find("no workloads"),
            std::string::npos);
  EXPECT_NE(msg(write_file("bad3.json", R"([{"params": {}}])")).find("entry 0"),
            std::string::npos);
  EXPECT_NE(msg(write_file("bad4.json", R"({"x": 1})")).find("JSON array"),
            std::string::npos);
}

} // namespace
} // namespace htune
