// The correctness check on two input sets (measure/Check.h): a candidate right on the first
// input and wrong on the second is caught and the error names the set; a real racing Halide
// schedule, right by luck of the data on the first set, is caught on the second.
#include <gtest/gtest.h>

#include <thread>

#include "measure/Check.h"

namespace htune {

TEST(CheckTest, RightOnTheFirstInputWrongOnTheSecondIsCaughtAndNamed) {
    std::vector<std::vector<Halide::Buffer<>>> refs(2);
    Halide::Buffer<float> want0(4), want1(4), out(4);
    want0.fill(1.0f);
    want1.fill(2.0f);
    refs[0] = {want0};
    refs[1] = {want1};
    std::vector<Halide::Buffer<>> outputs = {out};
    std::vector<int> runs;
    // Always computes set 0's answer, whatever its input: lucky on the first check only.
    auto run = [&](int set) {
        runs.push_back(set);
        out.fill(1.0f);
    };
    CheckResult r = check_input_sets(run, outputs, refs, {1, 99}, 1e-3, 0);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.failed_set, 1);
    EXPECT_EQ(runs, (std::vector<int>{0, 1}));
    EXPECT_DOUBLE_EQ(r.max_error, 1.0);
    EXPECT_NE(r.error.find("on input set 2 of 2 (seed 99)"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("got 1, expected 2"), std::string::npos) << r.error;

    // Right on both: ok, and both sets were run.
    runs.clear();
    auto right = [&](int set) {
        runs.push_back(set);
        out.fill(set == 0 ? 1.0f : 2.0f);
    };
    r = check_input_sets(right, outputs, refs, {1, 99}, 1e-3, 0);
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.failed_set, -1);
    EXPECT_EQ(runs, (std::vector<int>{0, 1}));
}

TEST(CheckTest, EachSetStartsFromOverwrittenOutputs) {
    // The reference is the same for both sets; a candidate that computes nothing the second
    // time must not pass on what the first run left behind.
    Halide::Buffer<uint16_t> want(3, 2), out(3, 2);
    want.fill(7);
    std::vector<std::vector<Halide::Buffer<>>> refs = {{want}, {want}};
    std::vector<Halide::Buffer<>> outputs = {out};
    auto run = [&](int set) {
        if (set == 0) out.fill(7);
    };
    CheckResult r = check_input_sets(run, outputs, refs, {1, 2}, 1e-3, 0);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.failed_set, 1);
    EXPECT_NE(r.error.find("got 65535, expected 7"), std::string::npos) << r.error;
}

namespace {

// last(b) = the row-major index of the last pixel whose value is b (-1 when none): a scatter
// whose result depends on the order of its writes whenever two rows write the same bin.
Halide::Func last_index(Halide::ImageParam in, int W, int H, Halide::RDom &r) {
    Halide::Func last("last");
    Halide::Var b("b");
    r = Halide::RDom(0, W, 0, H, "r");
    last(b) = -1;
    last(Halide::cast<int>(in(r.x, r.y))) = r.x + r.y * W;
    return last;
}

// Halide's thread pool runs the iterations of a parallel loop in no particular order and at
// the same time. This one runs them one at a time in reverse, so a race strikes every time:
// on a busy 2-core machine the pool's two threads seldom overlap.
int reversed_par_for(Halide::JITUserContext *ctx, int (*task)(Halide::JITUserContext *, int, uint8_t *),
                     int min, int extent, uint8_t *closure) {
    for (int i = min + extent - 1; i >= min; i--)
        if (int e = task(ctx, i, closure)) return e;
    return 0;
}

}  // namespace

// The race the issue asks for: the scatter's update stage runs its rows in parallel
// (allow_race_conditions; the space never does this), so two rows that write the same bin race.
// Input set 1 gives each row its own bin, so no two rows ever write the same element and the
// racing schedule is right; input set 2 puts every row's pixels in the same 8 bins. The first
// check alone would have passed it.
TEST(CheckTest, ARacingScheduleRightOnTheFirstInputIsCaughtOnTheSecond) {
    const int W = 64, H = 256;
    Halide::ImageParam in(Halide::UInt(8), 2, "in");
    Halide::RDom r;
    Halide::Func racing = last_index(in, W, H, r);
    racing.update().allow_race_conditions().parallel(r.y);
    racing.jit_handlers().custom_do_par_for = reversed_par_for;
    racing.compile_jit();
    Halide::RDom r2;
    Halide::Func serial = last_index(in, W, H, r2);  // the reference: Halide's default schedule
    serial.compile_jit();

    std::vector<std::vector<Halide::Buffer<>>> sets(2), refs(2);
    Halide::Buffer<uint8_t> own_bin(W, H), few_bins(W, H);
    own_bin.for_each_element([&](int x, int y) { own_bin(x, y) = (uint8_t)y; });
    few_bins.for_each_element([&](int x, int y) { few_bins(x, y) = (uint8_t)((x * 7 + y * 3) % 8); });
    sets[0] = {own_bin};
    sets[1] = {few_bins};
    for (int k = 0; k < 2; k++) {
        in.set(sets[k][0]);
        Halide::Buffer<int32_t> ref = serial.realize({256});
        refs[k] = {ref};
    }
    Halide::Buffer<int32_t> out(256);
    std::vector<Halide::Buffer<>> outputs = {out};
    auto run = [&](int set) {
        in.set(sets[set][0]);
        racing.realize(out);
    };
    CheckResult c = check_input_sets(run, outputs, refs, {1, 2}, 1e-3, 0);
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.failed_set, 1) << c.error;
    EXPECT_NE(c.error.find("on input set 2 of 2 (seed 2)"), std::string::npos) << c.error;
    // Row 255 writes each of the 8 bins last in order; the reversed rows leave row 0's writes.
    EXPECT_NE(c.error.find("differs at 8 of 256 elements"), std::string::npos) << c.error;
}

}  // namespace htune
