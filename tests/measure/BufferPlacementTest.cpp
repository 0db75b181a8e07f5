// Inputs and outputs placed apart in memory (measure/BufferPlacement.h).
#include <gtest/gtest.h>

#include <set>

#include "measure/BufferPlacement.h"
#include "ops/BufferCompare.h"
#include "ops/OpRegistry.h"

namespace htune {

TEST(BufferPlacementTest, OffsetsAreAlignedDistinctAndAvoidPageStarts) {
    std::set<size_t> seen;
    for (size_t k = 0; k < 32; k++) {
        size_t off = BufferArena::page_offset(k);
        EXPECT_EQ(off % 128, 0u) << k;
        EXPECT_LT(off, 4096u) << k;
        EXPECT_TRUE(seen.insert(off).second) << "offset " << off << " repeats at " << k;
        if (k < 12) {
            EXPECT_GT(off, 128u) << k;
        }
    }
}

TEST(BufferPlacementTest, PlacedCopiesKeepShapeAndContentsAtTheirOwnPageOffsets) {
    Halide::Buffer<float> a(37, 5, 3);
    a.set_min(-2, 1, 0);
    a.for_each_element([&](int x, int y, int c) { a(x, y, c) = x * 100.0f + y * 10.0f + c; });
    Halide::Buffer<uint16_t> b(1000);
    b.for_each_element([&](int x) { b(x) = (uint16_t)(x * 7); });
    Halide::Buffer<uint8_t> big(5000, 3000);  // a fresh mmap in glibc: page-aligned + header
    big.fill(3);

    BufferArena arena;
    std::vector<Halide::Buffer<>> placed =
        arena.place({Halide::Buffer<>(a), Halide::Buffer<>(b), Halide::Buffer<>(big)});
    ASSERT_EQ(placed.size(), 3u);
    for (size_t k = 0; k < placed.size(); k++) {
        EXPECT_EQ(reinterpret_cast<uintptr_t>(placed[k].data()) % 4096, BufferArena::page_offset(k)) << k;
    }
    Halide::Buffer<float> pa = placed[0];
    EXPECT_EQ(pa.dimensions(), 3);
    EXPECT_EQ(pa.dim(0).min(), -2);
    EXPECT_EQ(pa.dim(1).min(), 1);
    EXPECT_EQ(pa.dim(0).extent(), 37);
    EXPECT_EQ(pa.dim(2).extent(), 3);
    EXPECT_NE(pa.data(), a.data());
    pa.for_each_element([&](int x, int y, int c) { ASSERT_EQ(pa(x, y, c), a(x, y, c)); });
    Halide::Buffer<uint16_t> pb = placed[1];
    EXPECT_EQ(pb(999), (uint16_t)(999 * 7));
    // A copy, not a view: writing the placed buffer leaves the source alone.
    pb(3) = 1;
    EXPECT_EQ(b(3), 21);
    Halide::Buffer<uint8_t> pbig = placed[2];
    EXPECT_EQ(pbig(4999, 2999), 3);
}

TEST(BufferPlacementTest, AWorkloadRunsOnPlacedBuffers) {
    Workload w = make_workload("matmul", true);  // test size
    BufferArena arena;
    std::vector<Halide::Buffer<>> in = arena.place(w.make_inputs(7));
    std::vector<Halide::Buffer<>> out = arena.place(w.make_outputs());
    std::vector<Halide::Buffer<>> expect = w.reference(w.make_inputs(7), Halide::get_host_target());
    Halide::Pipeline p = w.build();
    realize_into(p, in, out, Halide::get_host_target());
    Comparison c = compare_outputs(out, expect, w.tolerance(), w.integer_tolerance());
    EXPECT_TRUE(c.ok) << c.message;
}

}  // namespace htune
