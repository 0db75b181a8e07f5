// Parameter validation, canonical forms and WorkloadSpec JSON round trips.
#include <gtest/gtest.h>

#include "ops/Error.h"
#include "ops/OpRegistry.h"

namespace htune {

namespace {

std::vector<ParamSpec> specs() {
    return {int_param("M", 1024, 1, 8192, ""), int_param("N", 1024, 1, 8192, ""),
            real_param("sigma", 1.5, 0.1, 10, "")};
}

std::string usage_error(const std::vector<std::pair<std::string, std::string>> &given) {
    try {
        resolve_params("op", specs(), given);
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage);
        return e.what();
    }
    return "";
}

}  // namespace

TEST(ParamsTest, DefaultsFillInDeclarationOrder) {
    ParamValues v = resolve_params("op", specs(), {{"N", "64"}});
    EXPECT_EQ(canonical_form("op", v), "op:M=1024,N=64,sigma=1.5");
    EXPECT_EQ(v.integer("N"), 64);
    EXPECT_DOUBLE_EQ(v.real("sigma"), 1.5);
}

TEST(ParamsTest, CanonicalValuesAreNormalized) {
    ParamValues a = resolve_params("op", specs(), {{"M", "0064"}, {"sigma", "2.50"}});
    ParamValues b = resolve_params("op", specs(), {{"sigma", "2.5"}, {"M", "64"}});
    EXPECT_EQ(a, b);
    EXPECT_EQ(canonical_form("op", a), "op:M=64,N=1024,sigma=2.5");
}

TEST(ParamsTest, BadValuesNameTheProblem) {
    EXPECT_EQ(usage_error({{"N", "-3"}}), "op: parameter N=-3 is out of range [1, 8192]");
    EXPECT_EQ(usage_error({{"N", "abc"}}), "op: parameter N=abc is not an integer");
    EXPECT_EQ(usage_error({{"sigma", "x"}}), "op: parameter sigma=x is not a number");
    EXPECT_EQ(usage_error({{"Q", "1"}}), "op: unknown parameter 'Q' (known: M, N, sigma)");
    EXPECT_THROW(parse_assignment("novalue"), Error);
}

TEST(ParamsTest, CanonicalFormParsesBack) {
    auto parsed = parse_canonical("matmul:M=4,N=8,K=2");
    EXPECT_EQ(parsed.first, "matmul");
    ASSERT_EQ(parsed.second.size(), 3u);
    EXPECT_EQ(parsed.second[2], (std::pair<std::string, std::string>{"K", "2"}));
    Workload w = make_workload(WorkloadSpec{parsed.first, "", parsed.second});
    EXPECT_EQ(w.canonical(), "matmul:M=4,N=8,K=2");
}

TEST(ParamsTest, WorkloadSpecJsonRoundTrip) {
    WorkloadSpec s{"blur3x3", "", {{"W", "64"}, {"H", "32"}}};
    nlohmann::json j = s;
    WorkloadSpec back = j.get<WorkloadSpec>();
    EXPECT_EQ(back, s);
    WorkloadSpec g{"sharpen_blend", "/x/lib.so", {{"radius", "3"}}};
    EXPECT_EQ(nlohmann::json(g).get<WorkloadSpec>(), g);
    EXPECT_THROW(nlohmann::json::parse(R"({"params": {}})").get<WorkloadSpec>(), Error);
}

TEST(ParamsTest, UnknownOperatorIsAUsageError) {
    try {
        make_workload(WorkloadSpec{"nope", "", {}});
        FAIL();
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage);
        EXPECT_NE(std::string(e.what()).find("unknown operator 'nope'"), std::string::npos);
    }
}

}  // namespace htune
