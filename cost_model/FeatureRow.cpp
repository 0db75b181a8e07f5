// The feature row (FeaturizerImpl.h): every stage's block of columns, the fixed blocks of the
// output's and the three most expensive stages, the work-weighted mean and the maximum over
// the computed stages, and the global columns.
#include <algorithm>
#include <cmath>

#include "cost_model/FeatureColumns.h"
#include "cost_model/FeaturizerImpl.h"

namespace htune {

using namespace featurizer;

std::vector<float> Featurizer::Static::features(const Schedule &s, std::vector<float> *stage_out) const {
    const size_t n = funcs.size();
    const std::vector<FuncDyn> dyn = compose(s);
    std::vector<float> row(kNumColumns, 0.0f);
    float *global = row.data();
    float *blocks = row.data() + kNumGlobal;
    // Per-stage rows of every computed stage, for mean/max and the fixed blocks.
    std::vector<float> stage_rows(stages.size() * kNumStage, 0.0f);
    std::vector<double> work(stages.size(), 0.0);
    double total_work = 0, total_points = 0, serial = 0, vec = 0, stride1 = 0, proxy = 0, real_total = 0;
    for (size_t i = 0; i < stages.size(); i++) {
        float *r = &stage_rows[i * kNumStage];
        stage_row(dyn, stages[i], r);
        const FuncDyn &fd = dyn[stages[i].func];
        if (fd.placement == Placement::inline_) continue;
        const StageDyn &sd = fd.stages[stages[i].index];
        work[i] = sd.points * sd.padded_ratio * (sd.ops + sd.loads);
        total_work += work[i];
        total_points += sd.points;
        if (sd.par_total <= 1) serial += work[i];
        if (r[c_vec_width] > 0) vec += work[i];
        if (r[c_inner_stride1] > 0) stride1 += work[i];
        proxy += std::exp2((double)r[c_time_proxy]) - 1;
        if (stages[i].index == 0) real_total += fd.realizations;
    }
    for (int b = 0; b < 4; b++)
        if (block_stage[b] >= 0)
            std::copy_n(&stage_rows[block_stage[b] * kNumStage], kNumStage, blocks + b * kNumStage);
    float *mean = blocks + 4 * kNumStage, *mx = blocks + 5 * kNumStage;
    bool first = true;
    for (size_t i = 0; i < stages.size(); i++) {
        if (dyn[stages[i].func].placement == Placement::inline_) continue;
        const float *r = &stage_rows[i * kNumStage];
        double w = total_work > 0 ? work[i] / total_work : 0;
        for (int c = 0; c < kNumStage; c++) {
            mean[c] += (float)(w * r[c]);
            mx[c] = first ? r[c] : std::max(mx[c], r[c]);
        }
        first = false;
    }

    double n_inline = 0, n_root = 0, n_at = 0, alloc_total = 0, alloc_max = 0, beyond_l2 = 0, beyond_l3 = 0,
           max_exp = 0;
    for (const FuncDyn &fd : dyn) {
        if (fd.placement == Placement::inline_) {
            n_inline++;
            max_exp = std::max(max_exp, fd.expansion);
            continue;
        }
        (fd.placement == Placement::at ? n_at : n_root)++;
        alloc_total += fd.alloc_bytes;
        alloc_max = std::max(alloc_max, fd.alloc_bytes);
        beyond_l2 += fd.alloc_bytes > l2;
        beyond_l3 += fd.alloc_bytes > l3;
    }
    double extra = 0;
    for (const auto &kv : s.funcs) extra += index.count(kv.first) == 0;
    double nf = std::max<size_t>(1, n), tw = std::max(total_work, 1e-30);
    const double g[kNumGlobal] = {
        lg((double)n),
        lg((double)stages.size()),
        n_inline / nf,
        n_root / nf,
        n_at / nf,
        lg(required_work),
        lg(total_work),
        lg(total_points),
        std::log2((total_work + 1) / (required_work + 1)),
        lg(alloc_total),
        lg(alloc_max),
        beyond_l2,
        beyond_l3,
        serial / tw,
        vec / tw,
        stride1 / tw,
        max_exp,
        lg(proxy),
        lg((double)threads),
        (double)lanes_f32,
        lg(real_total),
        lg(extra),
    };
    for (int c = 0; c < kNumGlobal; c++) global[c] = (float)g[c];
    for (float &v : row)
        if (!std::isfinite(v)) v = 0.0f;
    if (stage_out) {
        stage_out->clear();
        for (size_t i = 0; i < stages.size(); i++) {
            if (dyn[stages[i].func].placement == Placement::inline_) continue;
            for (int c = 0; c < kNumStage; c++) {
                const float v = stage_rows[i * kNumStage + c];
                stage_out->push_back(std::isfinite(v) ? v : 0.0f);
            }
            stage_out->insert(stage_out->end(), global, global + kNumGlobal);
        }
    }
    return row;
}

}  // namespace htune
