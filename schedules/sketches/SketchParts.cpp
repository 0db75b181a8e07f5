// The parts sketches and the heuristic are built from (see SketchParts.h).
#include "schedules/sketches/SketchParts.h"

#include <algorithm>

namespace htune {

int extent_of(const StageInfo &stage, const std::string &v) {
    auto it = stage.extent.find(v);
    return it != stage.extent.end() ? it->second : 1;
}

bool is_cheap(const FuncInfo &f) { return f.stages[0].ops_per_point + f.stages[0].loads_per_point <= 16; }

FuncSchedule computed_at(const std::string &func, int stage, const std::string &loop,
                         const std::string &store) {
    FuncSchedule fs;
    fs.placement = Placement::at;
    fs.at_func = func;
    fs.at_stage = stage;
    fs.at_loop = loop;
    fs.store_loop = store;
    return fs;
}

FuncSchedule inlined() {
    FuncSchedule fs;
    fs.placement = Placement::inline_;
    return fs;
}

std::vector<std::string> outer_parallel(const LoopNest &nest, const std::vector<std::string> &outer) {
    if (outer.size() >= 2 && nest.extent.at(outer.back()) < 8) return {outer[outer.size() - 2], outer.back()};
    return {outer.back()};
}

std::optional<StageSchedule> register_tile(const StageInfo &stage, int lanes, int u0, int u1) {
    auto ext = [&](const std::string &v) { return extent_of(stage, v); };
    const auto &pv = stage.pure_vars;
    if (pv.empty() || lanes < 2 || ext(pv[0]) < lanes) return std::nullopt;
    StageSchedule st;
    const std::string &x = pv[0];
    while (u0 > 1 && lanes * u0 > ext(x)) u0 /= 2;
    if (u0 > 1)
        st.splits.push_back({x, {lanes * u0, lanes}});
    else
        st.splits.push_back({x, {lanes}});
    if (pv.size() > 1 && u1 > 1 && ext(pv[1]) >= u1) st.splits.push_back({pv[1], {u1}});
    LoopNest nest = loop_nest(stage, st);
    const auto [inner, rv, outer] = loop_kinds(nest);
    st.vectorize = split_loop_names(x, st.splits[0].factors.size()).back();
    st.order = {st.vectorize};
    for (const auto &l : inner)
        if (l != st.vectorize) {
            st.order.push_back(l);
            st.unroll.push_back(l);
        }
    st.order.insert(st.order.end(), rv.begin(), rv.end());
    st.order.insert(st.order.end(), outer.begin(), outer.end());
    if (!outer.empty()) {
        st.parallel = outer_parallel(nest, outer);
    }
    return st;
}

std::string tile_loop(const StageInfo &stage, const StageSchedule &st) {
    for (const auto &l : st.order) {
        if (l == st.vectorize || std::find(st.unroll.begin(), st.unroll.end(), l) != st.unroll.end() ||
            stage.is_rvar(l))
            continue;
        return std::find(st.parallel.begin(), st.parallel.end(), l) != st.parallel.end() ? "" : l;
    }
    return "";
}

std::optional<FuncSchedule> inside_tile(const std::vector<StageInfo> &stages, int lanes, int u0, int u1,
                                        const std::string &at_func, int at_stage, const std::string &at) {
    FuncSchedule fs = computed_at(at_func, at_stage, at);
    for (const auto &stage : stages) {
        auto st = register_tile(stage, lanes, 1, u1);
        if (!st) return std::nullopt;
        st->parallel.clear();
        if (u0 > 1) {
            std::string outer = split_loop_names(stage.pure_vars[0], 1).front();
            auto it = std::find(st->order.begin(), st->order.end(), outer);
            if (it != st->order.end()) {
                st->order.erase(it);
                st->order.insert(st->order.begin() + 1, outer);
            }
        }
        fs.stages.push_back(*st);
    }
    return fs;
}

}  // namespace htune
