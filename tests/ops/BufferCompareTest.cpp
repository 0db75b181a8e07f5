// Per-element output comparison (ops/BufferCompare.h): near-zero elements of cancelling sums,
// relative error of large ones, ulps, NaN and Inf, integers exact or +-1, the worst element named.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ops/BufferCompare.h"

namespace htune {

namespace {

// A float output whose magnitude is 1000 (element 0), with element 1 near zero.
Halide::Buffer<float> magnitude_1000() {
    Halide::Buffer<float> b(4);
    b(0) = 1000.0f;
    b(1) = 1e-3f;
    b(2) = 1.0f;
    b(3) = -500.0f;
    return b;
}

Halide::Buffer<float> copy(const Halide::Buffer<float> &b) { return b.copy(); }

}  // namespace

TEST(BufferCompareTest, NearZeroElementsGetAnAbsoluteToleranceScaledToTheOutput) {
    // rtol 1e-3: atol = 1e-3 * 0.1 * 1000 = 0.1. A cancelling sum that should be 1e-3 and came
    // out as 0.05 is fine; a purely relative test would have failed it (50x off).
    Halide::Buffer<float> want = magnitude_1000(), got = copy(want);
    got(1) = 0.05f;
    EXPECT_TRUE(compare_outputs({got}, {want}, 1e-3).ok);
    got(1) = 0.2f;  // beyond atol: wrong
    Comparison c = compare_outputs({got}, {want}, 1e-3);
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.mismatches, 1u);
    EXPECT_NE(c.message.find("(1)"), std::string::npos) << c.message;
}

TEST(BufferCompareTest, LargeElementsAreRelative) {
    Halide::Buffer<float> want = magnitude_1000(), got = copy(want);
    got(0) = 1000.9f;  // 0.9 <= 0.1 + 1e-3 * 1000
    got(3) = -500.5f;  // 0.5 <= 0.1 + 0.5
    EXPECT_TRUE(compare_outputs({got}, {want}, 1e-3).ok);
    // The old whole-output test allowed 1e-3 * 1000 = 1 anywhere; element 2 (1.0) now has 0.101.
    got(2) = 1.5f;
    EXPECT_FALSE(compare_outputs({got}, {want}, 1e-3).ok);
    got(2) = 1.09f;
    EXPECT_TRUE(compare_outputs({got}, {want}, 1e-3).ok);
}

TEST(BufferCompareTest, UlpsAreAllowedEvenWithToleranceZero) {
    EXPECT_EQ(ulp_distance(1.0f, 1.0f), 0);
    EXPECT_EQ(ulp_distance(0.0f, -0.0f), 0);
    EXPECT_EQ(ulp_distance(1.0f, std::nextafter(1.0f, 2.0f)), 1);
    EXPECT_EQ(
        ulp_distance(-std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::denorm_min()), 2);
    EXPECT_EQ(ulp_distance(1.0, std::nextafter(std::nextafter(1.0, 0.0), 0.0)), 2);
    const double big = std::numeric_limits<double>::max();
    EXPECT_GT(ulp_distance(-big, big), 1.8e19);  // no overflow
    Halide::Buffer<float> want(3), got(3);
    want.fill(3.0f);
    got.fill(3.0f);
    float x = 3.0f;
    for (int i = 0; i < kMaxUlps; i++) x = std::nextafter(x, 4.0f);
    got(1) = x;  // kMaxUlps away: still the same value for an algorithm whose tolerance is 0
    EXPECT_TRUE(compare_outputs({got}, {want}, 0).ok);
    got(1) = std::nextafter(x, 4.0f);
    EXPECT_FALSE(compare_outputs({got}, {want}, 0).ok);
    // An all-zero output has no magnitude: zeros of either sign and denormal noise pass, 1e-20 not.
    Halide::Buffer<float> zeros(2), noise(2);
    zeros.fill(0.0f);
    noise(0) = -0.0f;
    noise(1) = 2 * std::numeric_limits<float>::denorm_min();
    EXPECT_TRUE(compare_outputs({noise}, {zeros}, 1e-3).ok);
    noise(1) = 1e-20f;
    EXPECT_FALSE(compare_outputs({noise}, {zeros}, 1e-3).ok);
}

TEST(BufferCompareTest, NanAndInfMatchOnlyThemselves) {
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    Halide::Buffer<float> want = magnitude_1000(), got = copy(want);
    want(2) = nan;
    got(2) = nan;
    want(1) = inf;
    got(1) = inf;
    EXPECT_TRUE(compare_outputs({got}, {want}, 1e-3).ok);
    got(2) = 1.0f;  // a number where the reference has NaN
    EXPECT_FALSE(compare_outputs({got}, {want}, 1e-3).ok);
    got(2) = nan;
    got(1) = -inf;
    EXPECT_FALSE(compare_outputs({got}, {want}, 1e-3).ok);
    got(1) = std::numeric_limits<float>::max();
    EXPECT_FALSE(compare_outputs({got}, {want}, 1e-3).ok);
    got(1) = inf;
    got(0) = nan;  // NaN where the reference has a number (an unwritten 0xff element)
    Comparison c = compare_outputs({got}, {want}, 1e-3);
    EXPECT_FALSE(c.ok);
    EXPECT_TRUE(std::isinf(c.max_abs_error));
    EXPECT_NE(c.message.find("(0): got nan"), std::string::npos) << c.message;
    // Inf in the reference does not make the other elements' magnitude infinite.
    got(0) = 1000.0f;
    got(3) = -499.0f;
    EXPECT_FALSE(compare_outputs({got}, {want}, 1e-3).ok);
}

TEST(BufferCompareTest, IntegersExactOrWithinTheirTolerance) {
    Halide::Buffer<int32_t> want(5), got(5);
    want.fill(100000);
    got.fill(100000);
    EXPECT_TRUE(compare_outputs({got}, {want}, 1e-3).ok);
    got(4) = 100001;
    EXPECT_FALSE(compare_outputs({got}, {want}, 1e-3).ok);  // the float rtol does not apply
    EXPECT_TRUE(compare_outputs({got}, {want}, 0, 1).ok);
    got(1) = 99999;
    EXPECT_TRUE(compare_outputs({got}, {want}, 0, 1).ok);
    got(2) = 100002;
    Comparison c = compare_outputs({got}, {want}, 0, 1);
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.mismatches, 1u);
    EXPECT_EQ(c.max_abs_error, 2);
    EXPECT_NE(c.message.find("(2): got 100002, expected 100000"), std::string::npos) << c.message;
}

TEST(BufferCompareTest, TheMessageNamesTheWorstElementNotTheFirst) {
    Halide::Buffer<float> want(8, 2), got(8, 2);
    want.fill(10.0f);
    got.fill(10.0f);
    got(1, 0) = 10.5f;
    got(6, 1) = 13.0f;
    got(7, 1) = 11.0f;
    Comparison c = compare_outputs({got}, {want}, 1e-3);
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.mismatches, 3u);
    EXPECT_EQ(c.elements, 16u);
    EXPECT_NE(c.message.find("output 0 differs at 3 of 16 elements; worst at (6,1): got 13, expected 10"),
              std::string::npos)
        << c.message;
}

}  // namespace htune
