// Structure of wrapped Funcs (see Wrappers.h).
#include "schedules/Wrappers.h"

#include <algorithm>
#include <set>

namespace htune {

std::string wrapper_func_name(const std::string &func, const std::string &consumer) {
    return func + "_in_" + consumer;
}

bool has_wrappers(const Schedule &s) {
    for (const auto &kv : s.funcs)
        if (!kv.second.wrap.empty()) return true;
    return false;
}

FuncInfo wrapper_info(const FuncInfo &f, const std::string &consumer) {
    FuncInfo w;
    w.name = wrapper_func_name(f.name, consumer);
    w.args = f.args;
    w.extents = f.extents;
    w.extent_known = f.extent_known;
    w.type = f.type;
    w.values = f.values;
    // Inlining a wrapper undoes it: it is computed somewhere or not asked for.
    w.can_inline = false;
    StageInfo st;
    st.pure_vars = f.args;
    st.default_order = f.args;
    for (size_t i = 0; i < f.args.size(); i++)
        st.extent[f.args[i]] = i < f.extents.size() ? std::max(1, f.extents[i]) : 1;
    st.loads_per_point = 1;
    w.stages.push_back(st);
    for (const Use &u : f.uses)
        if (u.consumer == consumer) w.uses.push_back(u);
    return w;
}

PipelineAnalysis with_wrappers(const PipelineAnalysis &a, const Schedule &s, std::string *why) {
    why->clear();
    // (A wrapper is no Func of `a`: wrapping one is refused here too.)
    for (const auto &kv : s.funcs)
        if (!kv.second.wrap.empty() && !a.has(kv.first)) {
            *why = kv.first + ": only the pipeline's own Funcs can be wrapped";
            return a;
        }
    std::vector<FuncInfo> funcs;
    bool any = false;
    for (const FuncInfo &f : a.funcs()) {
        auto it = s.funcs.find(f.name);
        if (it == s.funcs.end() || it->second.wrap.empty()) {
            funcs.push_back(f);
            continue;
        }
        FuncInfo wrapped = f;
        std::vector<FuncInfo> made;
        std::set<std::string> seen;
        for (const std::string &g : it->second.wrap) {
            if (!seen.insert(g).second) {
                *why = f.name + ": wraps consumer " + g + " twice";
                return a;
            }
            bool calls =
                std::any_of(f.uses.begin(), f.uses.end(), [&](const Use &u) { return u.consumer == g; });
            if (!calls) {
                *why = f.name + ": cannot be wrapped for " + g + ", which does not call it";
                return a;
            }
            FuncInfo w = wrapper_info(f, g);
            if (a.has(w.name)) {
                *why = f.name + ": the wrapper's name '" + w.name + "' is taken by a Func";
                return a;
            }
            wrapped.uses.erase(std::remove_if(wrapped.uses.begin(), wrapped.uses.end(),
                                              [&](const Use &u) { return u.consumer == g; }),
                               wrapped.uses.end());
            Use to_wrapper;
            to_wrapper.consumer = w.name;
            to_wrapper.arg_vars = f.args;
            to_wrapper.gathered.assign(f.args.size(), false);
            for (const auto &arg : f.args) {
                to_wrapper.index.push_back(AffineIndex::of_var(arg));
                to_wrapper.index_vars.push_back({arg});
            }
            wrapped.uses.push_back(to_wrapper);
            made.push_back(std::move(w));
        }
        funcs.push_back(wrapped);
        for (FuncInfo &w : made) funcs.push_back(std::move(w));
        any = true;
    }
    if (!any) return a;
    return PipelineAnalysis(std::move(funcs), a.stable_names());
}

}  // namespace htune
