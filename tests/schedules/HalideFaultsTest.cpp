// The validity rules that keep Halide 14's faults out of the space: each refused fixture is a real
// schedule (sampled, mutated or imported) that gave wrong output, read out of bounds, failed to
// compile or crashed before its rule existed; the allowed forms next to it compute the reference.
// StridedLoadTest: vector loads 2 to 4 elements apart from a constant index, which Halide 14
// compiles to aligned loads at unaligned addresses (schedules/HalideFaults.cpp). Its refused
// schedule crashed the worker in htune_bench_storage_hoist (stencil_chain, "worker killed by
// signal 11").
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/AtRegion.h"
#include "schedules/Import.h"
#include "schedules/Space.h"
#include "schedules/SpaceRules.h"
#include "tests/RunCommand.h"
#include "tests/schedules/ComputesReference.h"
#include "tests/schedules/Fixtures.h"

namespace htune {

namespace {

// Applies `s` anyway (the space refuses it) and expects Halide to refuse to run it, with an error
// that contains `error` (an out-of-bounds input read).
void expect_halide_refuses_to_run(const Workload &w, const Schedule &s,
                                  const std::vector<Halide::Buffer<>> &in, const std::string &error) {
    Halide::Target t = htune::host_target();
    Halide::Pipeline p = w.build();
    apply_schedule(s, p, t);
    auto outs = w.make_outputs();
    try {
        realize_into(p, in, outs, t);
        ADD_FAILURE() << "expected: " << error;
    } catch (const std::exception &e) {
        EXPECT_NE(std::string(e.what()).find(error), std::string::npos) << e.what();
    }
}

}  // namespace

// Real sampled schedules that hit Halide 14 bugs (wrong output, out-of-bounds reads, a
// simplifier crash) before the space excluded them; they must stay excluded.
TEST(SpaceTest, SchedulesThatHitHalideBugsAreRejected) {
    auto validate_file = [](const Workload &w, const std::string &file) {
        return ScheduleSpace(w, htune::host_target()).validate(fixture_schedule(file));
    };
    // This one also splits a compute_at Func in two levels (a later exclusion), which Sxx,
    // validated first, reports; either reason excludes it.
    std::string harris = validate_file(make_workload("harris", true), "harris_store_two_loops_out.json");
    EXPECT_TRUE(harris.find("stored more than one loop outside") != std::string::npos ||
                harris.find("in more than one level only") != std::string::npos)
        << harris;
    // The same with one-level splits: only the storage rule excludes it, and it is the cause:
    // Halide 14 computes NaN at (16, 0) of the test-size output (seen on inputs 1, 2 and 3).
    EXPECT_NE(validate_file(make_workload("harris", true), "harris_store_two_loops_out_one_level.json")
                  .find("Syy: stored more than one loop outside"),
              std::string::npos);
    EXPECT_NE(validate_file(make_workload("conv2d", true), "conv2d_fused_parallel_at.json")
                  .find("fuses no parallel loops"),
              std::string::npos);
    // Two-level (GuardWithIf) splits of compute_at Funcs: wrong output on Halide 14.
    EXPECT_NE(validate_file(make_workload("max_filter", true), "max_filter_two_level_split_at.json")
                  .find("splits 't' in more than one level only where no level has a tail"),
              std::string::npos);
    EXPECT_NE(validate_file(make_workload("local_laplacian", true), "local_laplacian_two_level_split_at.json")
                  .find("in more than one level only where no level has a tail"),
              std::string::npos);
    // blur_x inside blur_y's reduction loop, split in two levels there: Halide 14 segfaults
    // while lowering it. The multi-level rule excludes it.
    Workload gen =
        make_workload(WorkloadSpec{"sharpen_blend", HTUNE_EXAMPLE_GEN, {{"width", "64"}, {"height", "48"}}});
    EXPECT_NE(validate_file(gen, "generator_compute_in_rvar_loop.json").find("in more than one level only"),
              std::string::npos)
        << validate_file(gen, "generator_compute_in_rvar_loop.json");
}

// Storage more than one loop outside where a Func is computed: valid only in the form Halide 14
// computes right (hoisted_storage_reason). Each excluded fixture is a sampled schedule with its
// storage hoisted further, measured wrong at test size before the rule; the allowed one is
// Adams2019's own max_filter schedule, imported exactly.
TEST(SpaceTest, StorageHoistedOverSeveralLoopsOnlyInTheFormHalideComputesRight) {
    std::ifstream in(HTUNE_TEST_GENERATOR_WORKLOADS);
    auto corpus = nlohmann::json::parse(in).get<std::vector<WorkloadSpec>>();
    auto generator = [&](const std::string &name) {
        for (const auto &spec : corpus)
            if (spec.op == name) return make_workload(spec);
        throw std::runtime_error("no corpus Generator " + name);
    };
    // Adams2019's tiles are 768 x 160 (its bench-size schedule), so a size that holds them.
    Workload max_filter = make_workload(WorkloadSpec{
        "max_filter", HTUNE_TEST_GENERATORS, {{"width", "768"}, {"height", "320"}, {"radius", "2"}}});
    ScheduleSpace space(max_filter, htune::host_target());
    // Adams2019: repeat_edge computed at an x loop, stored at the next x loop out, over one y loop.
    Schedule adams = fixture_schedule("max_filter_gen_adams2019_store_over_y.json");
    ASSERT_EQ(adams.funcs.at("repeat_edge").store_loop, "v0_m");
    ASSERT_EQ(space.validate(adams), "");
    expect_computes_reference(max_filter, adams, 2);
    // A reduction loop between: repeat_edge computed in maximum's pure loops, stored at r$y_o
    // (output was 1e33 where the reference has 0.9).
    EXPECT_NE(space.validate(fixture_schedule("max_filter_gen_store_over_rvar.json"))
                  .find("repeat_edge: stored more than one loop outside where it is computed, over the "
                        "reduction loop"),
              std::string::npos)
        << space.validate(fixture_schedule("max_filter_gen_store_over_rvar.json"));
    // A Func with an update stage: unsharp's sum computed at x_i, stored at x_o over y_o (off by
    // 0.19).
    Workload unsharp = generator("unsharp");
    EXPECT_NE(
        ScheduleSpace(unsharp, htune::host_target())
            .validate(fixture_schedule("unsharp_gen_store_hoisted_multistage.json"))
            .find("sum#2: stored more than one loop outside where it is computed, and it has update stages"),
        std::string::npos);
    // Over a loop that moves an arg the compute loop's dim moves too: lens blur's repeat_edge#1,
    // read at x - z by f#6. Computed at an x loop and stored at the 4th dimension's loop over a
    // z loop (off by 0.19); computed at f#6's v2_i, stored at v0_o over v0_m (off by up to 0.18
    // on a test-size run; not hoisted, it computes the reference). Halide 14 warms the window up
    // from a loop min that reads the inner loop's var outside its loop (halide/Halide#7891).
    Workload lens_blur = generator("lens_blur");
    for (const char *file :
         {"lens_blur_gen_store_other_dim.json", "lens_blur_gen_store_cross_dim_compute_moves.json"}) {
        std::string why = ScheduleSpace(lens_blur, htune::host_target()).validate(fixture_schedule(file));
        EXPECT_NE(
            why.find("repeat_edge#1: stored more than one loop outside where it is computed, over loop "),
            std::string::npos)
            << file << ": " << why;
        EXPECT_NE(why.find("which moves its '_0' as the loop it is computed at does"), std::string::npos)
            << file << ": " << why;
    }
    // And where an inner split level is ordered outside an outer one of the same dim: a sampled
    // resnet_block schedule, batchnorm computed at conv2's x_i and stored at y_i over y_m, read
    // its input at -1 (not hoisted, it computes the reference).
    EXPECT_NE(ScheduleSpace(make_workload("resnet_block", true), htune::host_target())
                  .validate(fixture_schedule("resnet_block_store_over_outer_level_inside.json"))
                  .find("batchnorm: stored more than one loop outside where it is computed, at a loop of "
                        "another dimension than the compute loop's, not the split level just outside"),
              std::string::npos);
    // Two loops of one dimension inside: harris's NaN.
    EXPECT_NE(ScheduleSpace(make_workload("harris", true), htune::host_target())
                  .validate(fixture_schedule("harris_store_two_loops_out_one_level.json"))
                  .find("over two loops of 'x'"),
              std::string::npos);
}

TEST(SpaceTest, AFuncMayBeComputedInsideAReductionLoop) {
    // Adams2019 computes lens blur's cost volume per disparity, inside argmin's RVar loop. The
    // same placement with one-level splits is valid and computes the reference; sampling never
    // draws it (placement_loops' rvar_ok).
    Workload gen =
        make_workload(WorkloadSpec{"sharpen_blend", HTUNE_EXAMPLE_GEN, {{"width", "64"}, {"height", "48"}}});
    ScheduleSpace space(gen, htune::host_target());
    Schedule s = fixture_schedule("generator_compute_in_rvar_loop.json");
    FuncSchedule &bx = s.funcs.at("blur_x");
    ASSERT_EQ(bx.at_loop, "r$x");
    bx.stages[0] = StageSchedule{
        {{"x", {16}, ""}, {"y", {8}, ""}}, {"x_i", "y_i", "x_o", "y_o", "c"}, "x_i", {}, {}, {}};
    bx.stages[1] = StageSchedule{{{"x", {8}, ""}}, {"x_i", "x_o", "y", "c", "r$x"}, "x_i", {}, {}, {}};
    ASSERT_EQ(space.validate(s), "");
    expect_computes_reference(gen, s, 3);
    // The RVar loop is a placement of blur_y's update only, the stage that consumes blur_x.
    bx.at_stage = 0;
    EXPECT_NE(space.validate(s).find("blur_y stage 0, which does not consume it"), std::string::npos)
        << space.validate(s);
    // Sampling never computes a Func inside a reduction loop.
    std::mt19937_64 rng(5);
    for (int i = 0; i < 40; i++) {
        Schedule r = space.sample(rng);
        for (const auto &[name, fs] : r.funcs)
            if (fs.placement == Placement::at && space.analysis().has(fs.at_func)) {
                const FuncSchedule &g = r.funcs.at(fs.at_func);
                EXPECT_FALSE(
                    loop_nest(space.analysis().func(fs.at_func).stages[fs.at_stage], g.stages[fs.at_stage])
                        .is_rvar(fs.at_loop))
                    << name << " at " << fs.at_func << "." << fs.at_loop;
            }
    }
}

// The wrong values come from guarded tails: the same local_laplacian schedule with its pure
// stages' outer tiles made whole by their own tail (as Adams2019 writes them) is valid and
// computes the reference.
TEST(SpaceTest, MultiLevelSplitsInsideATileAreCorrectWhenTheirOwnTailMakesTilesWhole) {
    Workload w = make_workload("local_laplacian", true);
    Halide::Target t = htune::host_target();
    ScheduleSpace space(w, t);
    auto in = w.make_inputs(2);
    auto ref = w.reference(in, t);
    for (const std::string tail : {"shift_inwards", "round_up"}) {
        Schedule s = fixture_schedule("local_laplacian_two_level_split_at.json");
        int changed = 0;
        for (auto &[name, fs] : s.funcs)
            if (fs.placement == Placement::at)
                for (auto &d : fs.stages[0].splits)
                    if (d.factors.size() > 1) d.tail = tail, changed++;
        ASSERT_GE(changed, 3);
        ASSERT_EQ(space.validate(s), "") << tail;
        Halide::Pipeline p = w.build();
        apply_schedule(s, p, t);
        auto outs = w.make_outputs();
        realize_into(p, in, outs, t);
        Comparison c = compare_outputs(outs, ref, w.tolerance(), w.integer_tolerance());
        EXPECT_TRUE(c.ok) << tail << ": " << c.message;
    }
}

// Two mutations of conv2d's hand schedule measured at bench size read past an input
// ("Input buffer input is accessed at 132, which is beyond the max (129)"; "bias is accessed
// at -16"): conv, computed per block of relu, splits its 5 columns by 4 rounded up (8 columns),
// or its 16-channel block by 32 shifted inwards (channels -16 .. 15). conv reads the input
// along x and the bias along c without a boundary condition, so both are refused, per
// iteration; the hand schedule itself stays valid, and a rounded-up split that reads only
// clamped pixels along the split dimension (harris' input_clamped) stays allowed.
TEST(SpaceTest, SplitsThatComputePastTheirBlockAlongAnUnclampedInputReadAreRefused) {
    Workload w = make_workload("conv2d");
    ScheduleSpace space(w, htune::host_target());
    const FuncInfo &conv = space.analysis().func("conv");
    std::set<std::string> unbounded(conv.input_unbounded_args.begin(), conv.input_unbounded_args.end());
    EXPECT_EQ(unbounded, (std::set<std::string>{"c", "x", "y", "n"}));
    EXPECT_TRUE(space.analysis().func("relu").input_unbounded_args.empty());
    EXPECT_NE(space.validate(fixture_schedule("conv2d_round_up_past_block.json"))
                  .find("conv stage 1: split of 'x' rounded up past its extent 5 per iteration"),
              std::string::npos)
        << space.validate(fixture_schedule("conv2d_round_up_past_block.json"));
    EXPECT_NE(space.validate(fixture_schedule("conv2d_shift_past_block.json"))
                  .find("conv stage 0: split factor 32 of 'c' exceeds its extent 16 per iteration"),
              std::string::npos)
        << space.validate(fixture_schedule("conv2d_shift_past_block.json"));
    // The same block split by a factor that fits it: valid.
    Schedule fits = fixture_schedule("conv2d_shift_past_block.json");
    fits.funcs.at("conv").stages.at(0).splits.at(0).factors = {16};
    EXPECT_EQ(space.validate(fits), "");
    ImportedSchedule hand = import_schedule(w.build_as_written(), space, ImportNames::as_written);
    EXPECT_EQ(space.validate(hand.schedule), "");
    EXPECT_TRUE(hand.changes.empty()) << hand.changes[0];
    Workload harris = make_workload("harris", true);
    ScheduleSpace hs(harris, htune::host_target());
    const FuncInfo &clamped = hs.analysis().func("input_clamped");
    EXPECT_FALSE(clamped.input_reads_bounded);  // its channels are not clamped
    EXPECT_TRUE(std::find(clamped.input_unbounded_args.begin(), clamped.input_unbounded_args.end(),
                          clamped.args[0]) == clamped.input_unbounded_args.end());
}

// A tuning run over the corpus workloads measured this softmax schedule as "Input buffer input
// is accessed at 591, which is beyond the max (585)": row_sum's update, at the root, splits its
// 586 rows by 16 rounded up, and reads exp_val, inlined, along them, which reads the input. The
// rounded-up rule once saw only a Func's own input reads; it follows producers computed with the
// Func now (reads_input_past). With exp_val at the root, Halide computes exp_val over the rows
// the pipeline requires only, and the same split computes the reference: allowed. Guarded, the
// split is valid with exp_val inlined too.
TEST(SpaceTest, ARoundedUpSplitThatReadsAnInputThroughAnInlinedProducerIsRefused) {
    Workload w = make_workload(WorkloadSpec{"softmax", "", {{"rows", "586"}, {"cols", "552"}}});
    Halide::Target t = htune::host_target();
    ScheduleSpace space(w, t);
    const FuncInfo &row_sum = space.analysis().func("row_sum");
    EXPECT_TRUE(row_sum.input_unbounded_args.empty());
    ASSERT_EQ(row_sum.producers_read_past.count("i"), 1u);
    EXPECT_EQ(row_sum.producers_read_past.at("i").at("exp_val"), (std::vector<size_t>{1}));
    EXPECT_EQ(space.analysis().func("exp_val").input_unbounded_args, (std::vector<std::string>{"j", "i"}));
    Schedule s = fixture_schedule("softmax_row_sum_round_up_through_inlined_producer.json");
    ASSERT_EQ(s.funcs.at("exp_val").placement, Placement::inline_);
    EXPECT_TRUE(reads_input_past(space.analysis(), s, row_sum, "i"));
    std::string why = space.validate(s);
    EXPECT_NE(
        why.find("row_sum stage 1: split of 'i' rounded up past its extent 586, while it reads an input "
                 "without a boundary condition along it"),
        std::string::npos)
        << why;
    // Applied anyway, Halide refuses to run it.
    auto in = w.make_inputs(3);
    auto ref = w.reference(in, t);
    expect_halide_refuses_to_run(w, s, in, "Input buffer input is accessed at 591");
    Schedule root = s;
    root.funcs.at("exp_val").placement = Placement::root;
    root.funcs.at("exp_val").stages = {StageSchedule{}};
    EXPECT_FALSE(reads_input_past(space.analysis(), root, row_sum, "i"));
    EXPECT_EQ(space.validate(root), "");
    expect_computes_reference(w, root, in, ref);
    s.funcs.at("row_sum").stages.at(1).splits.at(0).tail = "";
    EXPECT_EQ(space.validate(s), "");
    expect_computes_reference(w, s, in, ref);
}

// A tuning run measured this conv_layer schedule as "Input buffer input is accessed at 113, which
// is beyond the max (65)": conv is computed at relu's x_o and stored one loop out, at fused_y_n,
// so Halide slides its window along x_o, and conv's update splits x by 16 rounded up. Refused
// (sliding_update_reason). The same schedule with the update's split guarded, or with conv stored
// where it is computed, computes the reference.
TEST(SpaceTest, AnUpdateThatSlidesItsWindowDoesNotRoundUp) {
    Workload w = make_workload(WorkloadSpec{
        "conv_layer",
        HTUNE_TEST_GENERATORS,
        {{"batch", "2"}, {"height", "48"}, {"in_channels", "4"}, {"out_channels", "8"}, {"width", "64"}}});
    Halide::Target t = htune::host_target();
    ScheduleSpace space(w, t);
    Schedule s = fixture_schedule("conv_layer_update_round_up_sliding_window.json");
    ASSERT_EQ(s.funcs.at("conv").at_loop, "x_o");
    ASSERT_EQ(s.funcs.at("conv").store_loop, "fused_y_n");
    std::string why = space.validate(s);
    EXPECT_NE(
        why.find("conv stage 1: rounds up its split of 'x' while stored outside the loop it is computed "
                 "at, which slides its window"),
        std::string::npos)
        << why;
    auto in = w.make_inputs(5);
    auto ref = w.reference(in, t);
    expect_halide_refuses_to_run(w, s, in, "Input buffer input is accessed at 113");
    Schedule guarded = s;
    guarded.funcs.at("conv").stages.at(1).splits.at(0).tail = "";
    EXPECT_EQ(space.validate(guarded), "");
    expect_computes_reference(w, guarded, in, ref);
    Schedule unhoisted = s;
    unhoisted.funcs.at("conv").store_loop = "";
    EXPECT_EQ(space.validate(unhoisted), "");
    expect_computes_reference(w, unhoisted, in, ref);
}

namespace {

// Applies `s` anyway (the space refuses it) and expects it to run and give wrong values.
void expect_wrong_output(const Workload &w, const Schedule &s, const std::vector<Halide::Buffer<>> &in,
                         const std::vector<Halide::Buffer<>> &ref) {
    EXPECT_FALSE(realize_and_compare(w, s, in, ref).ok);
}

}  // namespace

// Two schedules of a tuning run gave wrong values: a Func stored two loops out over a loop of
// another dimension (the form hoisted_storage_reason allows), its producer computed at the same
// loop and stored one loop out. unsharp_mask: gray at unsharp's y_i stored at y_o over x_o,
// input_clamped stored at x_o (NaN; those two hoisted and no other Func still give NaN, either
// one not hoisted computes the reference); stencil_chain: f#2 at output's v1_i stored at v1_o over v0_o,
// repeat_edge stored at v0_o. Refused (nested_windows_reason); the producer stored with its
// consumer, or where it is computed, computes the reference.
TEST(SpaceTest, AProducerIsNotStoredInsideTheWindowOfItsConsumer) {
    Halide::Target t = htune::host_target();
    Workload w =
        make_workload(WorkloadSpec{"unsharp_mask", "", {{"H", "48"}, {"W", "64"}, {"sigma", "1.5"}}});
    ScheduleSpace space(w, t);
    Schedule s = fixture_schedule("unsharp_mask_producer_stored_inside_consumer_window.json");
    ASSERT_EQ(s.funcs.at("gray").store_loop, "y_o");
    ASSERT_EQ(s.funcs.at("input_clamped").store_loop, "x_o");
    EXPECT_NE(
        space.validate(s).find("input_clamped: stored at 'x_o', inside where its consumer gray, computed at "
                               "the same loop, is stored ('y_o')"),
        std::string::npos)
        << space.validate(s);
    auto in = w.make_inputs(1);
    auto ref = w.reference(in, t);
    expect_wrong_output(w, s, in, ref);
    // blur_x, stored at x_o, is read by ratio, stored at y_o: the same form again.
    EXPECT_EQ(s.funcs.at("blur_x").store_loop, "x_o");
    EXPECT_EQ(s.funcs.at("ratio").store_loop, "y_o");
    Schedule with = s;
    with.funcs.at("input_clamped").store_loop = with.funcs.at("blur_x").store_loop = "y_o";
    EXPECT_EQ(space.validate(with), "");
    expect_computes_reference(w, with, in, ref);
    Schedule unhoisted = s;
    unhoisted.funcs.at("input_clamped").store_loop = unhoisted.funcs.at("blur_x").store_loop = "";
    EXPECT_EQ(space.validate(unhoisted), "");
    expect_computes_reference(w, unhoisted, in, ref);

    Workload sc = make_workload(WorkloadSpec{
        "stencil_chain", HTUNE_TEST_GENERATORS, {{"width", "256"}, {"height", "192"}, {"stages", "3"}}});
    ScheduleSpace scs(sc, t);
    Schedule chain = fixture_schedule("stencil_chain_gen_producer_stored_inside_consumer_window.json");
    EXPECT_NE(scs.validate(chain).find("repeat_edge: stored at 'v0_o', inside where its consumer f#2"),
              std::string::npos)
        << scs.validate(chain);
    auto sin = sc.make_inputs(1);
    auto sref = sc.reference(sin, t);
    expect_wrong_output(sc, chain, sin, sref);
    chain.funcs.at("repeat_edge").store_loop = "v1_o";
    EXPECT_EQ(scs.validate(chain), "");
    expect_computes_reference(sc, chain, sin, sref);
}

namespace {

Workload stencil_chain() {
    return make_workload(WorkloadSpec{
        "stencil_chain", HTUNE_TEST_GENERATORS, {{"width", "64"}, {"height", "48"}, {"stages", "3"}}});
}

Schedule crashed() { return fixture_schedule("stencil_chain_strided_vector_load.json"); }

// f#0 (the last blur) columns in pairs, f#1 computed per 32-row block of them: the pair loop
// v0_i lies between f#1's compute level and f#0's vector loop along y, and f#1 is 2 + 2 columns
// wide, so f#0 loads it 4 elements apart.
Schedule pairs_per_block() {
    Schedule s = crashed();
    StageSchedule &f0 = s.funcs.at("f#0").stages.at(0);
    f0.splits.at(0).factors = {2};
    f0.parallel = {"v0_o"};
    s.funcs.at("f#1").at_loop = "v1_o";
    return s;
}

}  // namespace

TEST(StridedLoadTest, AConstantIndexThreeElementsApartIsRefused) {
    ScheduleSpace space(stencil_chain(), htune::host_target());
    std::string why = space.validate(crashed());
    EXPECT_NE(
        why.find("f#1: f#0 loads it 3 elements apart along its vector loop 'v1_i' from a constant index"),
        std::string::npos)
        << why;
    // Not vectorized along y, f#0 loads f#1 one scalar at a time: valid.
    Schedule scalar = crashed();
    scalar.funcs.at("f#0").stages.at(0).vectorize.clear();
    EXPECT_EQ(space.validate(scalar), "");
}

TEST(StridedLoadTest, ASerialLoopBetweenMakesTheIndexVariableAndTheScheduleRuns) {
    Workload w = stencil_chain();
    ScheduleSpace space(w, htune::host_target());
    Schedule serial = pairs_per_block();
    ASSERT_EQ(space.validate(serial), "");
    expect_computes_reference(w, serial, 7);
    // The pair loop unrolled: the index is a constant again (this one crashed in a standalone
    // Halide program with the same loops).
    Schedule unrolled = pairs_per_block();
    unrolled.funcs.at("f#0").stages.at(0).unroll = {"v0_i"};
    std::string why = space.validate(unrolled);
    EXPECT_NE(why.find("f#1: f#0 loads it 4 elements apart along its vector loop 'v1_i'"), std::string::npos)
        << why;
}

// Built-in harris at test size, sampled by htune_bench_storage_hoist (seed 8; here with no storage
// hoisted, as `--replay` runs it, which crashed too): Sxx computed per
// column of the output (harris.x_m), vectorized along y by 32 with x split by 8, reads Ixx
// (computed per Sxx.x_o, 3 columns wide) 3 elements apart. Sxx's x_i loop lies between, but Sxx
// is one column wide there, so Halide drops the loop and the index is a constant:
// Ixx[ramp(0..8, 3, 32)], and the worker segfaulted on a vmovaps from the stack. Refused now; with
// Sxx computed per iteration of the output's x_i, around x_m (5 columns: the loop then varies), it
// validates and runs.
TEST(StridedLoadTest, ALoopOverASinglePointLeavesTheIndexConstant) {
    Workload w = make_workload("harris", true);
    ScheduleSpace space(w, htune::host_target());
    Schedule s = fixture_schedule("harris_strided_load_single_column.json");
    std::string why = space.validate(s);
    EXPECT_NE(
        why.find("Ixx: Sxx loads it 3 elements apart along its vector loop 'y_i' from a constant index"),
        std::string::npos)
        << why;
    Schedule wide = s;
    wide.funcs.at("Sxx").at_loop = "x_i";
    ASSERT_EQ(space.validate(wide), "");
    expect_computes_reference(w, wide, 3);
}

// camera_pipe's hot-pixel maximum over an RDom with where(): a sampled schedule unrolled x_i around
// the r$x loop in the intermediate of an rfactor (output off by 23 of 255); without rfactor, the
// same nest in the update itself is as wrong. Refused; the nest without the unroll runs.
TEST(PredicatedUnrollTest, AnUnrolledLoopAroundTheReductionLoopOfAWhereReductionIsRefused) {
    Workload w = make_workload(
        WorkloadSpec{"camera_pipe", HTUNE_TEST_GENERATORS, {{"width", "64"}, {"height", "48"}}});
    ScheduleSpace space(w, htune::host_target());
    EXPECT_TRUE(space.analysis().func("maximum").stages.at(1).has_predicate);
    EXPECT_FALSE(space.analysis().func("sum").stages.at(1).has_predicate);
    Schedule sampled = fixture_schedule("camera_pipe_unroll_around_predicated_rvar.json");
    std::string why = space.validate(sampled);
    EXPECT_NE(
        why.find("maximum_rf1 stage 1: unrolls 'x_i' around the reduction loop 'r$x' of a reduction with a "
                 "where() predicate"),
        std::string::npos)
        << why;
    // The same nest in maximum's own update, no rfactor: x split by 4 and unrolled around r$x.
    Schedule plain = sampled;
    plain.funcs.erase("maximum_rf1");
    plain.funcs.at("maximum") =
        nlohmann::json::parse(R"({"version": 1, "funcs": {"maximum": {"placement": "root",
        "stages": [{}, {"order": ["r$x", "x_i", "x_o", "r$y", "y"], "splits": [{"factors": [4], "var": "x"}],
        "unroll": ["x_i"]}]}}})")
            .get<Schedule>()
            .funcs.at("maximum");
    why = space.validate(plain);
    EXPECT_NE(why.find("maximum stage 1: unrolls 'x_i' around the reduction loop 'r$x'"), std::string::npos)
        << why;
    // Not unrolled: valid, and it computes the reference.
    plain.funcs.at("maximum").stages.at(1).unroll.clear();
    ASSERT_EQ(space.validate(plain), "");
    expect_computes_reference(w, plain, 1);
}

// Splits in two levels with GuardWithIf at both (an update's pure var), the inner one vectorized:
// written outermost first, Halide 14 shifts the whole inner tiles past the extent back inside in
// the last outer iteration, so the update adds twice to the points they cover; apply() writes
// them innermost first (schedules/Apply.cpp). The fixture is a sampled unsharp schedule that gave
// wrong output (off by 0.0195): sum#0 (norm() = sum(kernel(r)), 11 taps) rfactored by 2, its
// intermediate's update splitting the 6 values of u [4, 2] and vectorizing u_i. It is valid, and
// computes the reference.
TEST(GuardedSplitTest, AnUpdateSplitInTwoGuardedLevelsComputesTheReference) {
    Workload w =
        make_workload(WorkloadSpec{"unsharp", HTUNE_TEST_GENERATORS, {{"width", "64"}, {"height", "48"}}});
    Schedule s = fixture_schedule("unsharp_gen_rfactor_two_level_guarded_vector.json");
    const StageSchedule &rf = s.funcs.at("sum#0_rf1").stages.at(1);
    ASSERT_EQ(rf.splits.at(0).factors, (std::vector<int>{4, 2}));
    ASSERT_EQ(rf.vectorize, "u_i");
    ASSERT_EQ(ScheduleSpace(w, htune::host_target()).validate(s), "");
    expect_computes_reference(w, s, 1);
    expect_computes_reference(w, s, 2);
    // The emitted C++ splits u innermost first, to the same loop names.
    std::string cpp = to_cpp(s, w.build());
    EXPECT_NE(cpp.find("sum_0_rf1.update(0).split(u, u_t, u_i, 2, TailStrategy::GuardWithIf);"),
              std::string::npos)
        << cpp;
    EXPECT_NE(cpp.find("sum_0_rf1.update(0).split(u_t, u_o, u_m, 2, TailStrategy::GuardWithIf);"),
              std::string::npos)
        << cpp;
}

// Fused with another loop for parallelism, the outer loop of a guarded two-level split is written
// outermost first: innermost first, Halide 14 bounded the other fused loop below zero in four
// iir_blur schedules of a tuning run (this one read the input at channel -2: blur#1's update splits
// x [64, 16] and fuses x_o with c). Outermost first, it computes the reference.
TEST(GuardedSplitTest, AFusedOuterLoopIsSplitOutermostFirst) {
    Workload w =
        make_workload(WorkloadSpec{"iir_blur", HTUNE_TEST_GENERATORS, {{"width", "64"}, {"height", "48"}}});
    Schedule s = fixture_schedule("iir_blur_gen_update_two_level_guarded_fused_parallel.json");
    const StageSchedule &up = s.funcs.at("blur#1").stages.at(1);
    ASSERT_EQ(up.splits.at(0).factors, (std::vector<int>{64, 16}));
    ASSERT_EQ(up.parallel, (std::vector<std::string>{"x_o", "c"}));
    EXPECT_TRUE(outer_loop_fused(up.splits.at(0), up));
    EXPECT_FALSE(writes_innermost_first(up.splits.at(0), up, Halide::TailStrategy::GuardWithIf));
    Schedule unfused = s;
    unfused.funcs.at("blur#1").stages.at(1).parallel = {"x_o"};
    const StageSchedule &uf = unfused.funcs.at("blur#1").stages.at(1);
    EXPECT_TRUE(writes_innermost_first(uf.splits.at(0), uf, Halide::TailStrategy::GuardWithIf));
    ASSERT_EQ(ScheduleSpace(w, htune::host_target()).validate(s), "");
    expect_computes_reference(w, s, 1);
    expect_computes_reference(w, s, 2);
    std::string cpp = to_cpp(s, w.build());
    EXPECT_NE(cpp.find("blur_1.update(0).split(x, x_o, x_t, 64, TailStrategy::GuardWithIf);"),
              std::string::npos)
        << cpp;
    EXPECT_NE(cpp.find("blur_1.update(0).split(x_t, x_m, x_i, 16, TailStrategy::GuardWithIf);"),
              std::string::npos)
        << cpp;
    EXPECT_NE(cpp.find("blur_1.update(0).fuse(x_o, c, fused_x_o_c);"), std::string::npos) << cpp;
}

// Inside a tile with a tail, writing guarded splits innermost first is not enough, so the space
// keeps them in one level there (multi_level_split_reason): a middle loop runs past the extent in
// the last tile, so a Func computed at it is computed past its region. resnet_block's batchnorm at
// relu1's x_m (relu1's x split [8, 2]) reads the input through conv1 at x = 12 of 12; written
// outermost first, the same schedule ran.
TEST(GuardedSplitTest, TwoLevelSplitsWithATailInsideATileStayRefused) {
    Workload w = make_workload("resnet_block", true);
    Halide::Target t = htune::host_target();
    Schedule s = fixture_schedule("resnet_block_at_middle_loop_of_guarded_split.json");
    ASSERT_EQ(s.funcs.at("batchnorm").at_loop, "x_m");
    ScheduleSpace space(w, t);
    const FuncInfo &relu1 = space.analysis().func("relu1");
    const std::string why =
        multi_level_split_reason(relu1, s.funcs.at("relu1"), tail_free_region(space.analysis(), s, relu1));
    EXPECT_NE(
        why.find("relu1: a Func computed inside another's loops splits 'x' in more than one level only"),
        std::string::npos)
        << why;
    EXPECT_NE(space.validate(s), "");
    // Applied anyway, Halide refuses to run it: the input read out of bounds.
    expect_halide_refuses_to_run(w, s, w.make_inputs(11), "Input buffer input is accessed at 12");
}

// A mutated matmul schedule in a tuning run rounded C's update split of n [64, 16] up, which Halide
// refuses at its second level ("Can't use TailStrategy::RoundUp for splitting n.n_t in update
// definition of C.update(0)"): refused by the space; one level rounded up is valid and computes
// the reference.
TEST(SpaceTest, AnUpdateRoundsUpOnlyOneSplitLevel) {
    Workload w = make_workload(WorkloadSpec{"matmul", "", {{"M", "64"}, {"N", "64"}, {"K", "64"}}});
    ScheduleSpace space(w, htune::host_target());
    Schedule s = fixture_schedule("matmul_update_round_up_two_levels.json");
    DimSplit &n = s.funcs.at("C").stages.at(1).splits.at(0);
    ASSERT_EQ(n.var, "n");
    ASSERT_EQ(n.factors, (std::vector<int>{64, 16}));
    ASSERT_EQ(n.tail, "round_up");
    std::string why = space.validate(s);
    EXPECT_NE(why.find("C stage 1: tail round_up of 'n' in 2 levels"), std::string::npos) << why;
    Halide::Pipeline p = w.build();
    try {
        apply_schedule(s, p, htune::host_target());
        ADD_FAILURE() << "Halide accepted RoundUp at the second level";
    } catch (const std::exception &e) {
        EXPECT_NE(std::string(e.what()).find("Can't use TailStrategy::RoundUp for splitting n.n_t"),
                  std::string::npos)
            << e.what();
    }
    // One level: valid, and it computes the reference.
    n.factors = {16};
    StageSchedule &st = s.funcs.at("C").stages.at(1);
    st.order.erase(std::remove(st.order.begin(), st.order.end(), "n_m"), st.order.end());
    st.unroll.erase(std::remove(st.unroll.begin(), st.unroll.end(), "n_m"), st.unroll.end());
    ASSERT_EQ(space.validate(s), "");
    expect_computes_reference(w, s, 1);
}

}  // namespace htune
