// The sketch families (schedules/sketches/) on the pipelines each is made for: what each
// sketch schedules where, and that it computes the reference. (The golden hashes of every
// sketch of every test workload are in SketchGoldenTest.cpp.)
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "ops/BufferCompare.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Apply.h"
#include "schedules/Loops.h"
#include "schedules/PipelineAnalysis.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"
#include "tests/RunCommand.h"
#include "tests/schedules/ComputesReference.h"

namespace htune {

TEST(SpaceTest, SketchesRegisterTileReductionsAndComputeTheReference) {
    Halide::Target t = htune::host_target();
    for (const char *op : {"matmul", "conv2d"}) {
        Workload w = make_workload(op, true);
        ScheduleSpace space(w, t);
        auto in = w.make_inputs(8);
        auto ref = w.reference(in, t);
        std::vector<Schedule> sketches = space.sketches();
        ASSERT_FALSE(sketches.empty()) << op;
        std::set<std::string> hashes;
        int rfactored = 0, blocked = 0;
        for (const Schedule &s : sketches) {
            ASSERT_EQ(space.validate(s), "") << op;
            hashes.insert(schedule_hash(s));
            expect_computes_reference(w, s, in, ref);
            // Every stage with RVars: vector loop innermost, then the unrolled tile loops (and,
            // inside a consumer's tile, the vector var's outer loop), then the reduction loops.
            int tiled = 0;
            for (const FuncInfo &f : space.analysis().funcs())
                for (size_t i = 0; i < f.stages.size(); i++) {
                    if (f.stages[i].rvars.empty()) continue;
                    const StageSchedule &st = s.funcs.at(f.name).stages.at(i);
                    ASSERT_FALSE(st.vectorize.empty()) << op;
                    if (!st.rfactor.empty()) {
                        // The reduction moved into the intermediate, computed inside this tile.
                        const FuncSchedule &g = s.funcs.at(f.name + "_rf" + std::to_string(i));
                        EXPECT_EQ(g.placement, Placement::at);
                        EXPECT_EQ(g.at_func, f.name);
                        rfactored++;
                        // Cache-blocked: the kept reduction loop between the tile loop the
                        // intermediate is computed at and the (parallel) block loops.
                        auto pos = [&](const std::string &l) {
                            return std::find(st.order.begin(), st.order.end(), l) - st.order.begin();
                        };
                        long keep = pos(st.rfactor.keep);
                        ASSERT_LT(keep, (long)st.order.size()) << op;
                        if (keep > pos(g.at_loop) && keep + 1 < (long)st.order.size()) blocked++;
                        tiled++;
                        continue;
                    }
                    EXPECT_EQ(st.order.front(), st.vectorize);
                    size_t first_rvar = 0;
                    while (first_rvar < st.order.size() && !f.stages[i].is_rvar(st.order[first_rvar]))
                        first_rvar++;
                    ASSERT_LT(first_rvar, st.order.size()) << op;
                    ASSERT_FALSE(st.unroll.empty()) << op;
                    for (size_t k = 1; k < first_rvar; k++) {
                        bool unrolled =
                            std::find(st.unroll.begin(), st.unroll.end(), st.order[k]) != st.unroll.end();
                        bool tile_outer = s.funcs.at(f.name).placement == Placement::at &&
                                          st.order[k] == f.stages[i].pure_vars[0] + "_o";
                        EXPECT_TRUE(unrolled || tile_outer) << op << ": " << st.order[k];
                    }
                    for (const auto &u : st.unroll)
                        EXPECT_LT(std::find(st.order.begin(), st.order.end(), u) - st.order.begin(),
                                  (long)first_rvar);
                    tiled++;
                }
            EXPECT_GT(tiled, 0) << op;
        }
        // matmul's reduction is its output: some sketches rfactor it into an intermediate.
        if (std::string(op) == "matmul") EXPECT_GT(rfactored, 0);
        if (std::string(op) == "matmul") EXPECT_GT(blocked, 0);
        if (std::string(op) == "conv2d") {
            // conv feeds only relu (pointwise): some sketches compute it inside relu's tiles.
            int fused = 0;
            for (const Schedule &s : sketches) fused += s.funcs.at("conv").placement == Placement::at;
            EXPECT_GT(fused, 0);
        }
        EXPECT_EQ(hashes.size(), sketches.size());
        EXPECT_EQ(hashes.count(schedule_hash(space.heuristic())), 0u);
    }
    // No reduction, no register tile: harris's sketches compute gray in the output's rows
    // (sliding windows over tiles or full-width strips), or only inline (multi-scale helpers).
    for (const Schedule &s : ScheduleSpace(make_workload("harris", true), t).sketches()) {
        bool any_at = false;
        for (const auto &kv : s.funcs) {
            any_at = any_at || kv.second.placement == Placement::at;
            for (const StageSchedule &st : kv.second.stages) EXPECT_TRUE(st.unroll.empty()) << kv.first;
        }
        if (any_at) EXPECT_EQ(s.funcs.at("gray").placement, Placement::at);
    }
}

TEST(SpaceTest, ScatterSketchesUnrollIndependentBinsInsideTheReduction) {
    // bilateral_grid's histogram update writes histogram(x, y, zi, c), zi data-dependent.
    Halide::Target t = htune::host_target();
    Workload w = make_workload("bilateral_grid", true);
    ScheduleSpace space(w, t);
    auto in = w.make_inputs(8);
    auto ref = w.reference(in, t);
    const StageInfo &upd = space.analysis().func("histogram").stages.at(1);
    int scatter = 0;
    for (const Schedule &s : space.sketches()) {
        ASSERT_EQ(space.validate(s), "");
        const StageSchedule &st = s.funcs.at("histogram").stages.at(1);
        if (!st.vectorize.empty() || st.unroll.empty()) continue;
        if (s.funcs.at("histogram").placement != Placement::root) continue;  // (per consumer row)
        // Unrolled loops (c, then the split's inner loop), then every reduction loop, then the
        // rest with the outermost pure loop parallel.
        ASSERT_GE(st.unroll.size(), 1u);
        for (size_t k = 0; k < st.unroll.size(); k++) EXPECT_EQ(st.order.at(k), st.unroll[k]);
        EXPECT_EQ(st.unroll.back(), split_loop_names(st.splits.back().var, 1).back());
        for (size_t k = 0; k < upd.rvars.size(); k++)
            EXPECT_TRUE(upd.is_rvar(st.order.at(st.unroll.size() + k)));
        EXPECT_EQ(st.parallel, std::vector<std::string>{st.order.back()});
        expect_computes_reference(w, s, in, ref);
        scatter++;
    }
    EXPECT_GT(scatter, 0);
}

TEST(SpaceTest, ScatterAtConsumerRowsSketchesComputeTheHistogramPerRowOfBlurz) {
    // apps/bilateral_grid's hand schedule: histogram.compute_at(blurz, y), its update with c
    // unrolled innermost and the reduction next; blurz root, parallel over its rows.
    Halide::Target t = htune::host_target();
    for (bool test_size : {true, false}) {
        Workload w = make_workload("bilateral_grid", test_size);
        ScheduleSpace space(w, t);
        const StageInfo &upd = space.analysis().func("histogram").stages.at(1);
        std::vector<Halide::Buffer<>> in, ref;
        if (test_size) {
            in = w.make_inputs(8);
            ref = w.reference(in, t);
        }
        int per_row = 0, with_window = 0;
        for (const Schedule &s : space.sketches()) {
            ASSERT_EQ(space.validate(s), "");
            const FuncSchedule &h = s.funcs.at("histogram");
            if (h.placement != Placement::at) continue;
            ASSERT_EQ(h.at_func, "blurz");
            if (!h.stages.at(1).vectorize.empty()) continue;  // (fused into blurz's register tile)
            EXPECT_EQ(h.at_loop, "y");
            EXPECT_EQ(h.at_stage, 0);
            const FuncSchedule &b = s.funcs.at("blurz");
            EXPECT_EQ(b.placement, Placement::root);
            EXPECT_EQ(b.stages.at(0).order.back(), "y");
            EXPECT_EQ(b.stages.at(0).parallel, std::vector<std::string>{"y"});
            EXPECT_EQ(b.stages.at(0).unroll, std::vector<std::string>{"c_i"});
            const StageSchedule &st = h.stages.at(1);
            EXPECT_EQ(st.unroll, std::vector<std::string>{"c_i"});
            EXPECT_EQ(st.order.at(0), "c_i");
            for (size_t k = 0; k < upd.rvars.size(); k++) EXPECT_TRUE(upd.is_rvar(st.order.at(1 + k)));
            EXPECT_TRUE(st.parallel.empty());
            // The boundary condition only the histogram reads is inlined into it.
            EXPECT_EQ(s.funcs.at("input_clamped").placement, Placement::inline_);
            with_window += s.funcs.at("interpolated").placement == Placement::at;
            if (test_size) expect_computes_reference(w, s, in, ref);
            per_row++;
        }
        EXPECT_GT(per_row, 0) << test_size;
        // At the bench size it also combines with the sliding-window sketches.
        if (!test_size) EXPECT_GT(with_window, 0);
    }
}

TEST(SpaceTest, GatherSketchesVectorizeTheSlicingAcrossChannelsStoredInnermost) {
    // bilateral_grid's slicing reads blury(x / s, y / s, z(input(x, y)), c): the analysis sees
    // the data-dependent z and the channel passed through, from the IR alone.
    Halide::Target t = htune::host_target();
    for (bool test_size : {true, false}) {
        Workload w = make_workload("bilateral_grid", test_size);
        ScheduleSpace space(w, t);
        const FuncInfo &grid = space.analysis().func("blury");
        ASSERT_EQ(grid.uses.size(), 1u);
        const Use &u = grid.uses[0];
        EXPECT_EQ(u.consumer, "interpolated");
        EXPECT_EQ(u.arg_vars, (std::vector<std::string>{"", "", "", "c"}));
        EXPECT_EQ(u.gathered, (std::vector<bool>{false, false, true, false}));
        // A stencil is not a gather: blurx reads blurz at x + i, its z and c unchanged.
        const Use &b = space.analysis().func("blurz").uses.at(0);
        EXPECT_EQ(b.gathered, (std::vector<bool>{false, false, false, false}));
        EXPECT_EQ(b.arg_vars, (std::vector<std::string>{"", "y", "z", "c"}));

        std::vector<Halide::Buffer<>> in, ref;
        if (test_size) {
            in = w.make_inputs(8);
            ref = w.reference(in, t);
        }
        int gathers = 0, with_scatter = 0;
        for (const Schedule &s : space.sketches()) {
            ASSERT_EQ(space.validate(s), "");
            const FuncSchedule &f = s.funcs.at("interpolated");
            if (f.storage.empty()) continue;
            gathers++;
            EXPECT_EQ(f.storage, (std::vector<std::string>{"c", "x", "y"}));
            ASSERT_EQ(f.placement, Placement::at);
            EXPECT_EQ(f.at_func, "bilateral_grid");
            // A row of the output's tile: its innermost loop that is not over x.
            const FuncSchedule &out = s.funcs.at("bilateral_grid");
            LoopNest nest = loop_nest(space.analysis().func("bilateral_grid").stages[0], out.stages.at(0));
            EXPECT_EQ(nest.dim.at(f.at_loop), "y");
            for (const auto &l : nest.loops) {
                if (l == f.at_loop) break;
                EXPECT_EQ(nest.dim.at(l), "x") << l;
            }
            const StageSchedule &st = f.stages.at(0);
            EXPECT_EQ(st.vectorize, "c_i");
            EXPECT_EQ(st.order.at(0), "c_i");
            ASSERT_EQ(st.splits.size(), 1u);
            EXPECT_EQ(st.splits[0].factors, std::vector<int>{2});
            // The grid: channels innermost, the gathered z next.
            const FuncSchedule &g = s.funcs.at("blury");
            if (g.placement != Placement::inline_)
                EXPECT_EQ(g.storage, (std::vector<std::string>{"c", "z", "x", "y"}));
            with_scatter += s.funcs.at("histogram").placement == Placement::at;
            if (test_size) expect_computes_reference(w, s, in, ref);
        }
        EXPECT_GT(gathers, 0) << test_size;
        EXPECT_GT(with_scatter, 0) << test_size;  // applied on top of the earlier families
    }
    // Nothing else among the built-in operators gathers across a small dim.
    for (const std::string name : {"harris", "local_laplacian", "histogram_equalize", "matmul"}) {
        ScheduleSpace space(make_workload(name, true), t);
        for (const Schedule &s : space.sketches())
            for (const auto &kv : s.funcs) EXPECT_TRUE(kv.second.storage.empty()) << name << " " << kv.first;
    }
}

TEST(SpaceTest, PyramidSketchesInlineTheResamplingHelpersAndCollapseTheLevelsPerOutputRow) {
    // apps/local_laplacian's hand schedule, derived from extents: the separable half passes
    // (downx, upx), the same-resolution steps and the remap table inlined, the pyramid levels
    // at the root, the output's levels per output row in sliding windows over strips of rows.
    Halide::Target t = htune::host_target();
    Workload w = make_workload("local_laplacian", /*test_size=*/false);  // structure only
    ScheduleSpace space(w, t);
    const PipelineAnalysis &a = space.analysis();
    auto ends_with = [](const std::string &s, const std::string &end) {
        return s.size() > end.size() && s.compare(s.size() - end.size(), end.size(), end) == 0;
    };
    int helpers = 0, collapses = 0, wrapped = 0;
    for (const Schedule &s : space.sketches()) {
        ASSERT_EQ(space.validate(s), "");
        auto placement = [&](const std::string &f) { return s.funcs.at(f).placement; };
        if (placement("remap") != Placement::inline_) continue;  // the lookup table: recomputed
        // The private-copy twins (WrapperTest).
        if (!s.funcs.at("gPyramid_0").wrap.empty()) {
            wrapped++;
            continue;
        }
        helpers++;
        for (const FuncInfo &f : a.funcs()) {
            if (ends_with(f.name, "_downx") || ends_with(f.name, "_upx") ||
                f.name.rfind("lPyramid_", 0) == 0) {
                // gPyramid_0 (25M points, 5x the output) is inlined into the first downsampling
                // pass, which is computed per tile of gPyramid_1 instead.
                if (f.name == "gPyramid_1_downx") {
                    EXPECT_EQ(placement(f.name), Placement::at);
                    EXPECT_EQ(s.funcs.at(f.name).at_func, "gPyramid_1");
                } else {
                    EXPECT_EQ(placement(f.name), Placement::inline_) << f.name;
                }
            }
        }
        for (int j = 1; j < 8; j++)  // the levels
            EXPECT_EQ(placement("gPyramid_" + std::to_string(j)), Placement::root) << j;
        EXPECT_EQ(placement("gPyramid_0"), Placement::inline_);
        EXPECT_EQ(placement("floating"), Placement::inline_);  // read 4 times at its resolution
        if (placement("outGPyramid_1") != Placement::at) continue;
        collapses++;
        const StageSchedule &o = s.funcs.at("local_laplacian").stages.at(0);
        EXPECT_EQ(o.order, (std::vector<std::string>{"x_i", "c", "x_o", "y_i", "y_o"}));
        EXPECT_EQ(o.parallel, std::vector<std::string>{"y_o"});
        int rows = 0;
        for (const DimSplit &d : o.splits)
            if (d.var == "y") rows = d.factors.at(0);
        EXPECT_TRUE(rows == 32 || rows == 64) << rows;
        // Levels at least a strip high slide over the output's rows; shorter ones stay at the
        // root. outGPyramid_0 (inlined by the heuristic, recomputed per channel) joins them.
        int sliding = 0, root = 0;
        for (int j = 0; j < 8; j++) {
            const std::string n = "outGPyramid_" + std::to_string(j);
            if (j > 0 && placement(n) == Placement::inline_) continue;
            const bool tall = a.func(n).extents[1] >= rows;
            EXPECT_EQ(placement(n), tall ? Placement::at : Placement::root) << n;
            if (!tall) {
                root++;
                continue;
            }
            sliding++;
            const FuncSchedule &fs = s.funcs.at(n);
            EXPECT_EQ(fs.at_func, "local_laplacian");
            EXPECT_EQ(fs.at_loop, "y_i");
            EXPECT_EQ(fs.store_loop, "y_o");
        }
        EXPECT_GE(sliding, 4);
        EXPECT_GE(root, 1);
    }
    EXPECT_EQ(helpers, 3);
    EXPECT_EQ(collapses, 2);
    EXPECT_EQ(wrapped, 3);
    // At the test size the family applies to both pyramid operators and computes the reference.
    for (const char *op : {"local_laplacian", "interpolate"}) {
        Workload small = make_workload(op, /*test_size=*/true);
        ScheduleSpace sp(small, t);
        auto in = small.make_inputs(5);
        auto ref = small.reference(in, t);
        auto sketches = sp.sketches();
        EXPECT_GE(sketches.size(), 2u) << op;
        for (const Schedule &s : sketches) expect_computes_reference(small, s, in, ref);
    }
}

TEST(SpaceTest, APlainCopyMayBeInlinedPastTheInlineLimitButNotWhatItCopies) {
    // apps/local_laplacian inlines inGPyramid_0 (= gray) into the 4 x 4 taps of the next level
    // and into the output's laplacian: 17 copies, past the limit of 16, but only of a call.
    Halide::Target t = htune::host_target();
    Workload w = make_workload("local_laplacian", true);
    ScheduleSpace space(w, t);
    Schedule s = space.heuristic();
    for (const char *f : {"inGPyramid_1_downx", "inGPyramid_0"})
        s.funcs[f] = FuncSchedule{Placement::inline_};
    ASSERT_EQ(s.funcs.at("outLPyramid_0").placement, Placement::inline_);
    EXPECT_EQ(space.validate(s), "");
    auto in = w.make_inputs(3);
    expect_computes_reference(w, s, in, w.reference(in, t));
    // gray computes luma (arithmetic): the limit holds for it. Inlined, it is copied 19 times:
    // past what the sketches allow themselves, within what a schedule may do (Mullapudi2016
    // makes such schedules).
    s.funcs["gray"] = FuncSchedule{Placement::inline_};
    const FuncInfo *gray = nullptr;
    for (const FuncInfo &f : space.analysis().funcs())
        if (f.name == "gray") gray = &f;
    ASSERT_NE(gray, nullptr);
    const int copies = inline_expansion(space.analysis(), s, *gray);
    EXPECT_GT(copies, kSketchInlineExpansion);
    EXPECT_LE(copies, kMaxInlineExpansion);
    EXPECT_EQ(space.validate(s), "");
    // Inlining gray's other consumer, the intensity-level pyramid, and its downsampling pass
    // (4 x 4 taps) takes it past the limit.
    for (const char *f : {"gPyramid_0", "gPyramid_1_downx"}) s.funcs[f] = FuncSchedule{Placement::inline_};
    EXPECT_GT(inline_expansion(space.analysis(), s, *gray), kMaxInlineExpansion);
    EXPECT_NE(space.validate(s).find("gray: inlining copies it"), std::string::npos) << space.validate(s);
}

TEST(SpaceTest, SlidingWindowSketchesFuseAStencilChainIntoTheOutputsRows) {
    Halide::Target t = htune::host_target();
    for (const char *op : {"stencil_chain", "harris", "blur3x3", "matmul"}) {
        Workload w = make_workload(op, true);
        ScheduleSpace space(w, t);
        auto in = w.make_inputs(8);
        auto ref = w.reference(in, t);
        const Schedule h = space.heuristic();
        int chains = 0;
        for (const Schedule &s : space.sketches()) {
            ASSERT_EQ(space.validate(s), "");
            std::string out;
            for (const FuncInfo &f : space.analysis().funcs())
                if (f.is_output) out = f.name;
            int at = 0;
            for (const auto &kv : s.funcs) {
                // (Stored per full-width strip of rows: the multi-scale family, tested below.)
                if (kv.second.placement != Placement::at || kv.second.store_loop != "x_o") continue;
                // Every root producer of the heuristic moves into the output's rows, stored per strip.
                EXPECT_EQ(h.funcs.at(kv.first).placement, Placement::root) << op << " " << kv.first;
                EXPECT_EQ(kv.second.at_func, out);
                EXPECT_EQ(kv.second.at_loop, "y_i");
                EXPECT_EQ(kv.second.store_loop, "x_o");
                at++;
            }
            if (at == 0) continue;
            EXPECT_EQ(s.funcs.at(out).stages.at(0).parallel, std::vector<std::string>{"y_o"});
            expect_computes_reference(w, s, in, ref);
            chains++;
        }
        // stencil_chain at test size: input_clamped and stencil_1 feed the output stencil_2;
        // harris: its ten root producers; blur3x3: the clamp and blur_x. matmul's output has an
        // update: no chain.
        if (std::string(op) == "matmul")
            EXPECT_EQ(chains, 0);
        else
            EXPECT_GT(chains, 0) << op;
    }
}

TEST(SpaceTest, SlidingWindowSketchesOfAMultiChannelOutputComputeItsPerPixelFactorPerRow) {
    // unsharp_mask's output (x, y, c) is ratio(x, y) * input(x, y, c); the heuristic inlines
    // ratio (and sharpen into it), so its output recomputes the whole blur per channel. The
    // chain sketches put c inside the output's row loop and compute ratio, like the root
    // producers, per output row: once per pixel. One variant uses full-width rows.
    Halide::Target t = htune::host_target();
    Workload w = make_workload("unsharp_mask", true);
    ScheduleSpace space(w, t);
    const Schedule h = space.heuristic();
    ASSERT_EQ(h.funcs.at("ratio").placement, Placement::inline_);
    auto in = w.make_inputs(5);
    auto ref = w.reference(in, t);
    int strips = 0, full_rows = 0;
    for (const Schedule &s : space.sketches()) {
        ASSERT_EQ(space.validate(s), "");
        const FuncSchedule &ratio = s.funcs.at("ratio");
        if (ratio.placement != Placement::at) continue;
        EXPECT_EQ(ratio.at_func, "unsharp");
        EXPECT_EQ(ratio.at_loop, "y_i");
        EXPECT_EQ(s.funcs.at("sharpen").placement, Placement::inline_);  // (read only by ratio)
        for (const char *f : {"gray", "blur_y", "blur_x"}) {
            EXPECT_EQ(s.funcs.at(f).at_loop, "y_i") << f;
            EXPECT_EQ(s.funcs.at(f).store_loop, ratio.store_loop) << f;
        }
        const StageSchedule &o = s.funcs.at("unsharp").stages.at(0);
        auto pos = [&](const std::string &l) {
            return std::find(o.order.begin(), o.order.end(), l) - o.order.begin();
        };
        EXPECT_LT(pos("c"), pos("y_i"));
        EXPECT_LT(pos("x_i"), pos("c"));
        EXPECT_EQ(o.parallel, std::vector<std::string>{"y_o"});
        const FuncSchedule &clamp = s.funcs.at("input_clamped");
        if (ratio.store_loop == "y_o") {
            // Full rows: the boundary condition is inlined (Halide splits gray's row loop into
            // clamped edges and a dense middle).
            EXPECT_EQ(o.order, (std::vector<std::string>{"x_i", "x_o", "c", "y_i", "y_o"}));
            EXPECT_EQ(clamp.placement, Placement::inline_);
            full_rows++;
        } else {
            EXPECT_EQ(ratio.store_loop, "x_o");
            EXPECT_EQ(clamp.at_loop, "y_i");
            EXPECT_EQ(clamp.store_loop, "x_o");
            strips++;
        }
        expect_computes_reference(w, s, in, ref);
    }
    EXPECT_GT(strips, 0);
    EXPECT_EQ(full_rows, 1);
}

}  // namespace htune
