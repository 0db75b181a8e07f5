// Per-pipeline precomputation of the featurizer (FeaturizerImpl.h): what every Func and
// stage is independent of the schedule, who calls whom, and which stages the fixed blocks
// ("out", "top1".."top3") describe.
#include <algorithm>
#include <thread>

#include "cost_model/FeaturizerImpl.h"
#include "schedules/SpaceRules.h"

namespace htune {

Featurizer::Static::Static(std::shared_ptr<const PipelineAnalysis> a, const Halide::Target &target, int thr,
                           const MachineCaches &c)
    : analysis(std::move(a)), target(target), caches(c) {
    unsigned hw = std::thread::hardware_concurrency();
    threads = thr > 0 ? thr : (hw > 0 ? (int)hw : 1);
    units = std::max(1, std::min(threads, caches.cores));
    l1 = (double)caches.l1d_bytes;
    l2 = (double)caches.l2_bytes;
    l3 = (double)caches.l3_bytes;
    lanes_f32 = native_lanes(target, Halide::Float(32));
    const auto &funcs_info = analysis->funcs();
    for (size_t i = 0; i < funcs_info.size(); i++) index[funcs_info[i].name] = (int)i;
    for (size_t i = 0; i < funcs_info.size(); i++) {
        const FuncInfo &f = funcs_info[i];
        FuncStatic fs;
        fs.info = &f;
        fs.bytes_per_point = std::max(1, f.type.bytes()) * std::max(1, f.values);
        fs.lanes = native_lanes(target, f.type);
        for (const StageInfo &st : f.stages) {
            StageStatic ss;
            ss.func = (int)i;
            ss.index = st.index;
            ss.info = &st;
            for (const std::string &d : st.default_order) {
                ss.dim_rvar.push_back(st.is_rvar(d));
                int arg = -1;
                for (size_t a = 0; a < f.args.size(); a++)
                    if (!st.is_rvar(d) && f.args[a] == d) arg = (int)a;
                ss.dim_arg.push_back(arg);
                auto it = st.extent.find(d);
                double e = it == st.extent.end() ? 1.0 : std::max(1, it->second);
                ss.full_extent.push_back(e);
                ss.required_points *= e;
            }
            ss.static_work = ss.required_points * (st.ops_per_point + st.loads_per_point);
            required_work += ss.static_work;
            fs.stages.push_back((int)stages.size());
            stages.push_back(ss);
        }
        funcs.push_back(fs);
    }
    // Producers of each stage, from the producers' use lists.
    for (size_t p = 0; p < funcs_info.size(); p++)
        for (const Use &u : funcs_info[p].uses) {
            auto c = index.find(u.consumer);
            if (c == index.end() || u.stage >= (int)funcs[c->second].stages.size()) continue;
            stages[funcs[c->second].stages[u.stage]].producers.push_back({(int)p, u.calls});
            funcs[p].consumer_calls.push_back({c->second, u.calls});
        }
    for (StageStatic &ss : stages) {
        int func_calls = 0;
        for (const auto &pc : ss.producers) func_calls += pc.second;
        ss.distinct_inputs = (double)ss.producers.size() + (ss.info->loads_per_point > func_calls ? 1 : 0);
    }
    // Blocks: the output's most expensive stage, then the three most expensive
    // others (static, so a block means the same stage for every schedule of this
    // pipeline).
    std::vector<int> order(stages.size());
    for (size_t i = 0; i < order.size(); i++) order[i] = (int)i;
    std::stable_sort(order.begin(), order.end(),
                     [&](int x, int y) { return stages[x].static_work > stages[y].static_work; });
    for (int i : order)
        if (funcs[stages[i].func].info->is_output) {
            block_stage[0] = i;
            break;
        }
    int k = 1;
    for (int i : order)
        if (i != block_stage[0] && k < 4) block_stage[k++] = i;
}

}  // namespace htune
