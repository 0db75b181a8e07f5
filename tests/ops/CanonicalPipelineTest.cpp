// canonical_pipeline: names that do not depend on Halide's process-global counters, the same
// algorithm (bit-exact outputs), and none of the author's schedule.
#include <gtest/gtest.h>

#include "ops/CanonicalPipeline.h"
#include "ops/HostTarget.h"
#include "ops/PipelineIO.h"

namespace htune {

namespace {

using namespace Halide;

// An algorithm in everyday style: unnamed Funcs, Vars and RDoms, lambdas, boundary
// conditions, inline reductions, a Func name used twice, an RDom with where(), a Tuple, and
// a hand schedule that is invalid on its own (store_at without compute_at). `size` is a
// parameter that changes extents only.
struct Everyday {
    ImageParam input{Int(32), 2, "input"};
    Pipeline build(int size, bool hand_schedule) {
        Var x("x"), y("y"), xa, ya;
        Func clamped = BoundaryConditions::repeat_edge(input);
        Func zero = BoundaryConditions::constant_exterior(input, 0);
        Func both;
        both(xa, ya) = clamped(xa, ya) + zero(xa, ya);
        Func twice = lambda(x, y, both(x, y) * 2);
        RDom r(0, 3), k(0, 3, "k");
        Func stage("stage");
        stage(x, y) = sum(twice(x + r, y)) + maximum(twice(x, y + r)) + sum(twice(x + k, y));
        Func again("stage");
        again(xa, ya) = stage(xa, ya) + 1;
        Func acc;
        RDom tri(0, 4, 0, 4);
        tri.where(tri.x <= tri.y);
        acc(x) = 0;
        acc(x) += again(x, tri.x + tri.y);
        Func best;
        best(x, y) = argmax(again(x, y + r));
        Func out("out");
        out(x, y) = again(x, y) + acc(x) + best(x, y)[0] * 100;
        out.set_estimates({{0, size}, {0, size / 2}});
        input.set_estimates({{0, size + 8}, {0, size / 2 + 8}});
        if (hand_schedule) {
            Var yo, yi;
            out.split(y, yo, yi, 4);
            both.store_at(out, yo);  // no compute_at: Halide rejects this at lowering
            stage.compute_root().vectorize(x, 8);
        }
        return Pipeline(out);
    }
};

std::vector<std::string> describe(const Pipeline &p) {
    std::vector<std::string> out;
    for (const auto &kv : pipeline_functions(p)) {
        std::string s = kv.first + "(";
        for (const auto &a : kv.second.args()) s += a + ",";
        s += ")";
        for (const auto &u : kv.second.updates()) {
            s += " update";
            for (const auto &rv : u.schedule().rvars()) s += " " + rv.var;
            if (u.predicate().defined() && !is_const_one(u.predicate())) {
                std::ostringstream os;
                os << u.predicate();
                s += " where " + os.str();
            }
        }
        out.push_back(s);
    }
    return out;
}

Buffer<int> run(Pipeline p, const Buffer<int> &in, ImageParam &param, int size) {
    param.set(in);
    Buffer<int> out(size, size / 2);
    p.realize(out, host_target());
    return out;
}

}  // namespace

TEST(CanonicalPipeline, NamesComeFromTheStructure) {
    Everyday e;
    std::vector<std::string> names = describe(canonical_pipeline(e.build(32, false)));
    std::vector<std::string> expected = {
        "argmax(x,y,) update r$x",
        "constant_exterior(_0,_1,)",
        "f#0(v0,v1,)",
        "f#1(x,) update r$x r$y where (r$x <= r$y)",
        "f#2(x,y,)",
        "input_im(_0,_1,)",
        "lambda#0(x,y,)",
        "lambda#1(_0,_1,)",
        "lambda#2(_0,_1,)",
        "maximum(x,y,) update r$x",
        "out(x,y,)",
        "repeat_edge#0(_0,_1,)",
        "repeat_edge#1(_0,_1,)",
        "stage#0(v0,v1,)",
        "stage#1(x,y,)",
        "sum#0(x,y,) update r$x",
        "sum#1(x,y,) update k$x",
    };
    EXPECT_EQ(names, expected);
    // The same names for another size, in the same process after other pipelines were built
    // (Halide's counters have moved on), and the canonical form of a canonical form.
    for (int i = 0; i < 5; i++) e.build(16, true);
    EXPECT_EQ(describe(canonical_pipeline(e.build(64, false))), expected);
    EXPECT_EQ(describe(canonical_pipeline(canonical_pipeline(e.build(8, false)))), expected);
    // Halide's own names differ between two builds.
    EXPECT_NE(describe(e.build(32, false)), describe(e.build(32, false)));
}

TEST(CanonicalPipeline, SameOutputsWithoutTheAuthorsSchedule) {
    Everyday e;
    const int size = 32;
    Buffer<int> in(size + 8, size / 2 + 8);
    in.for_each_element([&](int x, int y) { in(x, y) = (x * 7 + y * 13) % 17 - 5; });
    Buffer<int> plain = run(e.build(size, false), in, e.input, size);
    // As written, the hand schedule does not even compile; the canonical form has no schedule.
    EXPECT_THROW(run(e.build(size, true), in, e.input, size), CompileError);
    Pipeline c = canonical_pipeline(e.build(size, true));
    for (const auto &kv : pipeline_functions(c)) {
        LoopLevel compute = kv.second.schedule().compute_level(), store = kv.second.schedule().store_level();
        compute.lock();
        store.lock();
        EXPECT_TRUE(compute.is_inlined()) << kv.first;
        EXPECT_TRUE(store.is_inlined()) << kv.first;
        EXPECT_TRUE(kv.second.definition().schedule().splits().empty()) << kv.first;
    }
    Buffer<int> canon = run(c, in, e.input, size);
    int differ = 0;
    plain.for_each_element([&](int x, int y) { differ += plain(x, y) != canon(x, y); });
    EXPECT_EQ(differ, 0);
    // Estimates survive (the outputs' and the input's).
    PipelineIO io = describe_io(c);
    ASSERT_EQ(io.outputs.size(), 1u);
    EXPECT_EQ(io.outputs[0].name, "out");
    EXPECT_EQ(io.outputs[0].extent, (std::vector<int>{size, size / 2}));
    EXPECT_EQ(io.inputs[0].extent, (std::vector<int>{size + 8, size / 2 + 8}));
}

TEST(CanonicalPipeline, TwoOutputsAndTuplesKeepTheirOrderAndTypes) {
    Var x("x");
    ImageParam in(Float(32), 1, "in");
    Func pair, lo("lo"), hi("hi");
    pair(x) = Tuple(in(x)-1, cast<int>(in(x)) + 1);
    lo(x) = pair(x)[0];
    hi(x) = pair(x)[1];
    lo.set_estimates({{0, 16}});
    hi.set_estimates({{0, 16}});
    in.set_estimates({{0, 16}});
    Pipeline c = canonical_pipeline(Pipeline({hi, lo}));
    ASSERT_EQ(c.outputs().size(), 2u);
    EXPECT_EQ(c.outputs()[0].name(), "hi");
    EXPECT_EQ(c.outputs()[1].name(), "lo");
    auto fns = pipeline_functions(c);
    ASSERT_TRUE(fns.count("f"));
    EXPECT_EQ(fns.at("f").output_types(), (std::vector<Type>{Float(32), Int(32)}));
    Buffer<float> b(16);
    b.for_each_element([&](int i) { b(i) = i * 0.5f; });
    in.set(b);
    Buffer<int> h(16);
    Buffer<float> l(16);
    c.realize({h, l}, host_target());
    EXPECT_EQ(h(5), 3);
    EXPECT_FLOAT_EQ(l(5), 1.5f);
}

TEST(CanonicalPipeline, BaseNames) {
    EXPECT_EQ(func_base_name("blur$3"), "blur");
    EXPECT_EQ(func_base_name("conv1$12"), "conv1");
    EXPECT_EQ(func_base_name("conv1"), "conv1");
    EXPECT_EQ(func_base_name("f12"), "f");
    EXPECT_EQ(func_base_name("lambda_5"), "lambda");
    EXPECT_EQ(func_base_name("sum$2"), "sum");
    EXPECT_EQ(func_base_name("gPyramid_3"), "gPyramid_3");
}

}  // namespace htune
