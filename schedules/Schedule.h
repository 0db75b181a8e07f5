// Schedule: a plain, JSON-serializable value describing how every Func of a pipeline is
// scheduled, keyed by stable Func names (ops/PipelineIO.h). Its content hash is the dedup key
// everywhere (database, search). Start here, then Apply.h (to Halide) and Space.h (search).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace htune {

constexpr int kScheduleSchemaVersion = 1;

// Split of one dimension (pure Var or RVar) of a stage into nested loops.
// factors = {f}:          var -> var_o (outer), var_i (extent f)
// factors = {f1, f2}:     var -> var_o, var_m (extent f1/f2), var_i (extent f2); f1 % f2 == 0.
// factors = {f1, f2, f3}: var -> var_o, var_m (f1/f2), var_n (f2/f3), var_i (f3); each divides
//                         the one before (Adams2019 tiles a root Func's x in three levels).
// factors = {f1, .., f4}: var -> var_o, var_m, var_n, var_p (f3/f4), var_i (f4): Adams2019's
//                         output tiles in four levels (lens blur's x: 768, 192, 48, 16).
// Each factor is a tile size. An inner factor that does not divide the one before it needs
// tail "shift_inwards" or "round_up" (pure definitions; round_up not on an output): its loop
// runs ceil(f1/f2) tiles, the last moved back inside the outer tile or run whole past it
// (Adams2019 splits a 128-row tile by 3: var_m runs 43 tiles of 3).
// tail: how the last, partial tile is handled (Halide's TailStrategy). "" = the space's default
// (schedules/Apply.h, default_tail: ShiftInwards on root pure stages of known extent,
// GuardWithIf elsewhere); "round_up" (over-compute to a multiple; pure vars only, also of
// updates), "shift_inwards" (re-compute the last tile shifted inwards; pure definitions only)
// or "guard" (GuardWithIf). Autoschedulers choose RoundUp/ShiftInwards where the default guards, which
// keeps vector loops free of scalar tails.
constexpr size_t kMaxSplitLevels = 5;  // factors per DimSplit

struct DimSplit {
    std::string var;
    std::vector<int> factors;
    std::string tail = "";
    bool operator==(const DimSplit &o) const {
        return var == o.var && factors == o.factors && tail == o.tail;
    }
};

// The values DimSplit::tail may take besides "".
const std::vector<std::string> &tail_names();

// rfactor of an associative update stage (Halide's Stage::rfactor): the loop `keep` stays a
// reduction loop of the stage (the "merge"), every other RVar moves into a new intermediate
// Func, which gains the pure var `var` in place of `keep` and is scheduled under the derived
// name rfactor_func_name(func, stage) (schedules/RFactor.h). With factor > 1 the RVar `rvar` is
// first split into rvar_o, rvar_i by `factor` and `keep` is one of them; with factor 0 `keep`
// is `rvar` itself (an RVar of a multi-dimensional RDom). Empty `rvar` = no rfactor.
struct RFactor {
    std::string rvar;
    int factor = 0;
    std::string keep;
    std::string var;
    bool empty() const { return rvar.empty(); }
    bool operator==(const RFactor &o) const {
        return rvar == o.rvar && factor == o.factor && keep == o.keep && var == o.var;
    }
};

// The loop nest of one stage (pure definition = stage 0, update i = stage i + 1). When
// `rfactor` is set, the other fields describe the stage after the rfactor (the merge: pure
// vars and the kept reduction loop).
struct StageSchedule {
    std::vector<DimSplit> splits;       // dims that are split (others stay one loop)
    std::vector<std::string> order;     // every loop of the stage, innermost first; empty = default
    std::string vectorize;              // a pure loop of constant extent (width), innermost of its dim
    std::vector<std::string> unroll;    // loops of constant extent, fully unrolled
    std::vector<std::string> parallel;  // outermost pure loops, fused (in order) then parallel
    RFactor rfactor;                    // update stages only; applied before everything else
    bool operator==(const StageSchedule &o) const {
        return splits == o.splits && order == o.order && vectorize == o.vectorize && unroll == o.unroll &&
               parallel == o.parallel && rfactor == o.rfactor;
    }
};

enum class Placement { inline_, root, at };

struct FuncSchedule {
    Placement placement = Placement::root;
    // For Placement::at: compute inside loop `at_loop` of stage `at_stage` of Func `at_func`,
    // and store at `store_loop` (an enclosing or the same loop; empty = same as at_loop).
    std::string at_func, at_loop, store_loop;
    int at_stage = 0;
    std::vector<StageSchedule> stages;  // 1 + number of updates; empty when inline
    // Storage layout (reorder_storage), innermost first: a permutation of the Func's pure args;
    // empty = Halide's default (args order). JSON "storage", absent when empty.
    std::vector<std::string> storage;
    // Consumers that read this Func through a private copy (Halide's Func::in(consumer)): each
    // is a Func of its own, scheduled under wrapper_func_name(this, consumer)
    // (schedules/Wrappers.h), so an inlined Func can be computed once per tile of one
    // expensive consumer while its other consumers still inline it. JSON "wrap", absent when
    // empty.
    std::vector<std::string> wrap;
    // Stored where at_func itself is computed (at_func's compute_at loop, in its own
    // consumer's loops) instead of in at_func's loops: one loop further out than at_func's
    // outermost, where this Func is computed, so Halide slides its window over that loop
    // (Adams2019's unsharp: gray computed at detail's y, stored at output's x). JSON
    // "at": {"store_with_consumer": true}, absent when false.
    bool store_with_consumer = false;
    bool operator==(const FuncSchedule &o) const {
        return placement == o.placement && at_func == o.at_func && at_loop == o.at_loop &&
               store_loop == o.store_loop && at_stage == o.at_stage &&
               store_with_consumer == o.store_with_consumer && stages == o.stages && storage == o.storage &&
               wrap == o.wrap;
    }
};

// Keys of `funcs` are the pipeline's stable Func names plus, for every rfactor'd stage, the
// intermediate Func it creates (rfactor_func_name: "<func>_rf<stage>"), and for every wrapped
// consumer, the wrapper (wrapper_func_name: "<func>_in_<consumer>").
struct Schedule {
    int version = kScheduleSchemaVersion;
    std::map<std::string, FuncSchedule> funcs;  // stable Func name -> schedule
    bool operator==(const Schedule &o) const { return version == o.version && funcs == o.funcs; }
    bool operator!=(const Schedule &o) const { return !(*this == o); }
};

void to_json(nlohmann::json &j, const Schedule &s);
// Throws a usage Error naming the bad field for malformed JSON or another schema version.
void from_json(const nlohmann::json &j, Schedule &s);

// Stable content hash (16 hex digits) of the canonical JSON: the dedup key.
std::string schedule_hash(const Schedule &s);

const char *to_string(Placement p);

// Up the chain of compute_at from Func `f` (f, the Func whose loops f is computed in, and so on):
// the schedule of the first one computed directly at a loop of Func `g`; nullptr when the chain
// ends at the root, at an inlined Func or at a cycle first.
const FuncSchedule *computed_under(const Schedule &s, const std::string &f, const std::string &g);

}  // namespace htune
