// PipelineAnalysis: the structure the schedule space is derived from, for ANY pipeline: its
// Funcs in producer-first order, their stages, pure vars and RVars, who calls whom (per
// stage), and the region of each Func required by the outputs' estimates (bounds inference).
#pragma once

#include <Halide.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace htune {

struct StageInfo {
    int index = 0;                           // 0 = pure definition, i = update i-1
    std::vector<std::string> pure_vars;      // Vars of this stage's loop nest, args order
    std::vector<std::string> rvars;          // RVars, innermost first (RDom order)
    std::vector<std::string> default_order;  // Halide's default loops, innermost first
    std::map<std::string, int> extent;       // estimated extent of every dim (pure and RVar)
    // RVars whose RDom min and extent are constants in the algorithm itself (not through
    // estimates): {min, extent}. Only these give a consumer's loops a constant trip count.
    std::map<std::string, std::pair<int, int>> constant_rvars;
    double ops_per_point = 0;  // arithmetic IR nodes in this stage's definition
    int loads_per_point = 0;   // calls to other Funcs / inputs
    // Update stages: Halide proves the update an associative (and commutative) operator, the
    // condition of rfactor (Halide's own check, Internal::prove_associativity).
    bool associative = false, commutative = false;
    bool has_predicate = false;  // its RDom is restricted by where() (Definition::predicate)
    bool is_rvar(const std::string &v) const;
};

// One index of a call, over all of a consumer stage's call sites to one producer:
// sum(coef[v] * v) + [lo, hi], where v are the stage's pure vars and RVars. `affine` is false
// when some call site's index is not of that form or the call sites' coefficients differ.
struct AffineIndex {
    bool affine = false;
    std::map<std::string, int> coef;  // no zero entries
    int lo = 0, hi = 0;
    static AffineIndex of_var(const std::string &v) { return {true, {{v, 1}}, 0, 0}; }
};

struct Use {
    std::string consumer;  // stable name of the calling Func
    int stage = 0;         // stage of the consumer that calls
    int calls = 1;         // call sites in that stage (> 1: a stencil, inlining recomputes)
    // Per producer arg: the consumer's pure var that every call site passes there unchanged
    // ("" otherwise), and whether some call site's index there depends on loaded data (a
    // gather: it reads another Func or an input, as a bilateral grid's slicing does).
    std::vector<std::string> arg_vars;
    std::vector<bool> gathered;
    std::vector<AffineIndex> index;  // per producer arg (empty: unknown, as for rfactor)
    // Per producer arg: the stage's loop vars (pure vars and RVars) that some call site's index
    // reads, however it combines them (x and x + dx give {x, dx}); kUnknownVar among them when
    // an index reads anything else (loaded data, a Let of the definition). Scalar parameters are
    // no loop vars and are left out. Empty: unknown, as `index`. Where a Func's region is, not
    // how large it is (AtRegion.h's RegionInfo::arg_dims).
    std::vector<std::set<std::string>> index_vars;
    static constexpr const char *kUnknownVar = "?";
    bool operator==(const Use &o) const { return consumer == o.consumer && stage == o.stage; }
};

struct FuncInfo {
    std::string name;                // stable name (the schedule key)
    std::string halide_name;         // name in the analysed Pipeline instance only
    std::vector<std::string> args;   // pure args
    std::vector<int> extents;        // estimated required region per arg (>= 1)
    std::vector<bool> extent_known;  // false where bounds inference gave no constant
    Halide::Type type;               // first value's type
    int values = 1;                  // Tuple size
    bool is_output = false;
    bool has_updates = false;
    bool can_inline = true;  // false for outputs, Funcs with updates, extern stages
    // Its reads of input buffers stay inside the inputs whatever region it is computed over
    // (a boundary condition, or no input read); false when not shown. Computing a Func over
    // more than it must (a rounded-up or shifted tile) is safe only when this holds for it and
    // every Func it depends on.
    bool input_reads_bounded = false;
    // Its pure args along which computing over more than the required region (the others
    // inside it) makes it read an input buffer outside what it is sized for, reads of its own
    // only (conv2d's conv: c reads bias and filter, x and y the input).
    std::vector<std::string> input_unbounded_args;
    // Per pure arg: the producers (stable names) it reads past their required regions when it
    // is computed over more along that arg, with the producer's dimensions (indices into its
    // args) read past (softmax's row_sum along i reads exp_val along its dimension 1). Whether
    // that reaches an input depends on the schedule: see reads_input_past (SpaceRules.h).
    std::map<std::string, std::map<std::string, std::vector<size_t>>> producers_read_past;
    // Producers (stable names) it reads only inside their required regions whatever region it
    // is computed over, as a boundary condition reads the Func it clamps: computing it over
    // more does not make them compute more.
    std::vector<std::string> clamped_producers;
    std::vector<StageInfo> stages;
    std::vector<Use> uses;  // direct calls from other (non-wrapper) Funcs
    double points() const;  // product of extents
    // Bytes of its buffer at the root: points() times the bytes of one point (every value of a
    // Tuple counted at the first value's size); 0 when an extent is unknown.
    double root_bytes() const;
};

class PipelineAnalysis {
public:
    explicit PipelineAnalysis(const Halide::Pipeline &p);
    // A derived analysis (e.g. with rfactor intermediates, schedules/RFactor.h): `funcs` in
    // producer-first order.
    PipelineAnalysis(std::vector<FuncInfo> funcs, std::map<std::string, std::string> stable_names);

    // Funcs in topological order (producers first), without ImageParam wrappers.
    const std::vector<FuncInfo> &funcs() const { return funcs_; }
    // Throws an internal Error for an unknown name.
    const FuncInfo &func(const std::string &stable_name) const;
    bool has(const std::string &stable_name) const { return index_.count(stable_name) > 0; }
    // Halide name (of the analysed Pipeline) -> stable name.
    const std::map<std::string, std::string> &stable_names() const { return stable_; }

private:
    std::vector<FuncInfo> funcs_;
    std::map<std::string, size_t> index_;
    std::map<std::string, std::string> stable_;
};

// Stable names of a given (fresh) Pipeline's Functions -> Halide Functions, for apply().
std::map<std::string, Halide::Internal::Function> functions_by_stable_name(const Halide::Pipeline &p);

}  // namespace htune
