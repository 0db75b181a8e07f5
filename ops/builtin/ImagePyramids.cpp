// Built-in multi-scale image operators: local_laplacian (apps/local_laplacian) and interpolate
// (apps/interpolate). Pyramid levels are separate, explicitly named Funcs ("gPyramid_2"), so
// the level count changes the pipeline's structure, not just its sizes.
// FLOPs: 2 per multiply-add, 1 per other arithmetic op, compare/max or transcendental; a lerp is 3.
#include <cmath>

#include "ops/HostTarget.h"
#include "ops/builtin/Builtins.h"

namespace htune {

using namespace Halide;

namespace {

// Pure variables for a Func of `dims` dimensions: x, y, then k (the pyramids' extra dimension).
std::vector<Var> pyramid_vars(int dims) {
    std::vector<Var> v = {Var("x"), Var("y"), Var("k")};
    v.resize(dims);
    return v;
}

// `f` with its first two coordinates replaced.
Expr at(const Func &f, const std::vector<Var> &v, const Expr &x, const Expr &y) {
    std::vector<Expr> args(v.begin(), v.end());
    args[0] = x;
    args[1] = y;
    return f(args);
}

// 4-tap (1 3 3 1)/8 downsampling by two in x then y; returns the Func named `name`.
Func downsample(const Func &f, const std::string &name) {
    std::vector<Var> v = pyramid_vars(f.dimensions());
    const Var &x = v[0], &y = v[1];
    Func downx(name + "_downx"), down(name);
    downx(v) = (at(f, v, 2 * x - 1, y) + 3.0f * (at(f, v, 2 * x, y) + at(f, v, 2 * x + 1, y)) +
                at(f, v, 2 * x + 2, y)) /
               8.0f;
    down(v) = (at(downx, v, x, 2 * y - 1) + 3.0f * (at(downx, v, x, 2 * y) + at(downx, v, x, 2 * y + 1)) +
               at(downx, v, x, 2 * y + 2)) /
              8.0f;
    return down;
}

// Linear upsampling by two in x then y; returns the Func named `name`.
Func upsample(const Func &f, const std::string &name) {
    std::vector<Var> v = pyramid_vars(f.dimensions());
    const Var &x = v[0], &y = v[1];
    Func upx(name + "_upx"), up(name);
    upx(v) = lerp(at(f, v, (x + 1) / 2, y), at(f, v, (x - 1) / 2, y), ((x % 2) * 2 + 1) / 4.0f);
    up(v) = lerp(at(upx, v, x, (y + 1) / 2), at(upx, v, x, (y - 1) / 2), ((y % 2) * 2 + 1) / 4.0f);
    return up;
}

std::string level_name(const std::string &base, int j) { return base + "_" + std::to_string(j); }

// Pixels of pyramid level j of a W x H image.
double level_pixels(const ParamValues &p, int j) {
    return std::ceil(p.i("W") / std::ldexp(1.0, j)) * std::ceil(p.i("H") / std::ldexp(1.0, j));
}

OpDef local_laplacian() {
    OpDef d;
    d.name = "local_laplacian";
    d.summary =
        "local Laplacian filter (apps/local_laplacian) of a uint16 RGB image: remapping LUT, "
        "gaussian and laplacian pyramids over intensity levels, collapse, recolor";
    d.params = {int_param("W", 1536, 16, 65536, "image width"),
                int_param("H", 1024, 16, 65536, "image height"),
                int_param("J", 8, 2, 12, "pyramid levels"),
                int_param("levels", 8, 2, 32, "intensity levels (processed pyramids)"),
                real_param("alpha", 1.0, 0.0, 10.0, "detail enhancement (divided by levels - 1)"),
                real_param("beta", 1.0, 0.0, 10.0, "tone-mapping slope")};
    // Two levels: Halide's default schedule inlines the pyramids, and the inlined expression
    // grows (and compiles) exponentially with the depth.
    d.test = {{"W", "48"}, {"H", "32"}, {"J", "2"}, {"levels", "4"}};
    d.build = [](const ParamValues &p) {
        const int W = p.i("W"), H = p.i("H"), J = p.i("J"), levels = p.i("levels");
        const float alpha = (float)p.real("alpha") / (levels - 1), beta = (float)p.real("beta");
        ImageParam in = image_param(UInt(16), "input", {W, H, 3});
        Var x("x"), y("y"), c("c"), k("k");
        // The remapping function as a lookup table, 256 entries per intensity level.
        Func remap("remap");
        Expr fx = cast<float>(x) / 256.0f;
        remap(x) = alpha * fx * exp(-fx * fx / 2.0f);
        Func clamped = clamp_2d(in, W, H, "input_clamped");
        Func floating("floating");
        floating(x, y, c) = clamped(x, y, c) / 65535.0f;
        Func gray("gray");
        gray(x, y) = luma(floating, x, y);
        // The processed gaussian pyramid: one slice k per intensity level.
        std::vector<Func> gPyramid(J), lPyramid(J), inGPyramid(J), outLPyramid(J), outGPyramid(J);
        Expr level = k * (1.0f / (levels - 1));
        Expr idx = clamp(cast<int>(gray(x, y) * (float)(levels - 1) * 256.0f), 0, (levels - 1) * 256);
        gPyramid[0] = Func("gPyramid_0");
        gPyramid[0](x, y, k) = beta * (gray(x, y) - level) + level + remap(idx - 256 * k);
        for (int j = 1; j < J; j++) gPyramid[j] = downsample(gPyramid[j - 1], level_name("gPyramid", j));
        // Its laplacian pyramid.
        lPyramid[J - 1] = Func(level_name("lPyramid", J - 1));
        lPyramid[J - 1](x, y, k) = gPyramid[J - 1](x, y, k);
        for (int j = J - 2; j >= 0; j--) {
            Func up = upsample(gPyramid[j + 1], level_name("gPyramid_up", j));
            lPyramid[j] = Func(level_name("lPyramid", j));
            lPyramid[j](x, y, k) = gPyramid[j](x, y, k) - up(x, y, k);
        }
        // The gaussian pyramid of the input's luma.
        inGPyramid[0] = Func("inGPyramid_0");
        inGPyramid[0](x, y) = gray(x, y);
        for (int j = 1; j < J; j++)
            inGPyramid[j] = downsample(inGPyramid[j - 1], level_name("inGPyramid", j));
        // The output's laplacian pyramid: interpolate between the two nearest processed levels.
        for (int j = 0; j < J; j++) {
            Expr lv = inGPyramid[j](x, y) * (float)(levels - 1);
            Expr li = clamp(cast<int>(lv), 0, levels - 2);
            Expr lf = lv - cast<float>(li);
            outLPyramid[j] = Func(level_name("outLPyramid", j));
            outLPyramid[j](x, y) = (1.0f - lf) * lPyramid[j](x, y, li) + lf * lPyramid[j](x, y, li + 1);
        }
        // Collapse it.
        outGPyramid[J - 1] = Func(level_name("outGPyramid", J - 1));
        outGPyramid[J - 1](x, y) = outLPyramid[J - 1](x, y);
        for (int j = J - 2; j >= 0; j--) {
            Func up = upsample(outGPyramid[j + 1], level_name("outGPyramid_up", j));
            outGPyramid[j] = Func(level_name("outGPyramid", j));
            outGPyramid[j](x, y) = up(x, y) + outLPyramid[j](x, y);
        }
        // Reintroduce color; eps keeps dark pixels from amplifying noise.
        const float eps = 0.01f;
        Func color("color");
        color(x, y, c) = outGPyramid[0](x, y) * (floating(x, y, c) + eps) / (gray(x, y) + eps);
        Func out("local_laplacian");
        out(x, y, c) = clamp(color(x, y, c), 0.0f, 1.0f);
        out.set_estimates({{0, W}, {0, H}, {0, 3}});
        return Pipeline(out);
    };
    d.flops = [](const ParamValues &p) {
        const int J = p.i("J");
        const double K = p.i("levels");
        // Level 0: normalize 3 + luma 5, processed slices 8 per level, recolor 3 x 5.
        double f = level_pixels(p, 0) * (8 + 8 * K + 15);
        for (int j = 0; j < J; j++) {
            const double P = level_pixels(p, j);
            if (j > 0) f += 18 * (K + 1) * P;       // downsample x then y (6 each, x is 2P)
            if (j < J - 1) f += 5.5 * (K + 1) * P;  // upsample (lerps) + subtract / add
            f += 8 * P;                             // output laplacian: interpolate 2 slices
        }
        return f;
    };
    d.ranges = {{"input", {0, 65535}}};
    // The LUT index cast<int>(gray * (levels - 1) * 256) is a step function: where a schedule
    // computes gray one ulp differently (FMA, vector vs scalar reassociation), a pixel picks the
    // neighbouring LUT entry, and the pyramids and the color ratio carry that step (about 6e-4)
    // into the output as up to ~2e-3. Mullapudi2016 and Li2018 show 0.00183 at the bench size;
    // a broken schedule is off by far more (0.1 to 1).
    d.tolerance = 5e-3;
    return d;
}

OpDef interpolate() {
    OpDef d;
    d.name = "interpolate";
    d.summary =
        "multi-scale interpolation (apps/interpolate) of an RGBA float image: premultiply, "
        "downsampling pyramid, upsample-and-composite back, normalize by alpha";
    d.params = {int_param("W", 1536, 16, 65536, "image width"),
                int_param("H", 1024, 16, 65536, "image height"),
                int_param("levels", 10, 2, 14, "pyramid levels")};
    // Two levels: fully inlined, three already take minutes to compile (the tree is 4^levels).
    d.test = {{"W", "48"}, {"H", "32"}, {"levels", "2"}};
    // `scheduled`: the hand-written schedule (OpDef::build_as_written), the way Halide's own
    // interpolate app schedules a pyramid on a CPU: every level of both pyramids computed whole
    // (each level is read at many points of the next, so recomputing it per tile would multiply
    // its work), strips of 8 rows in parallel and rows vectorized; the x-passes and upsamplings
    // stay inlined into the level that reads them; the output likewise. Channels loop inside the
    // strips, so each parallel loop is outermost. (The app also bounds the output's channels to
    // 3 and unrolls them innermost to share the alpha it divides by; htune's schedule space has
    // no bound(), so this schedule leaves that out to stay importable as a seed.)
    auto build = [](const ParamValues &p, bool scheduled) {
        const int W = p.i("W"), H = p.i("H"), L = p.i("levels");
        ImageParam in = image_param(Float(32), "input", {W, H, 4});
        Func clamped = clamp_2d(in, W, H, "input_clamped");
        Var x("x"), y("y"), c("c");
        std::vector<Func> downsampled(L), interpolated(L);
        downsampled[0] = Func("downsampled_0");
        downsampled[0](x, y, c) = select(c < 3, clamped(x, y, c) * clamped(x, y, 3), clamped(x, y, 3));
        for (int l = 1; l < L; l++) {
            Func prev = downsampled[l - 1];
            if (l == 4) {
                // A boundary condition mid-pyramid keeps the downsamplings' footprint from
                // reaching far off the base image (as in the app).
                const int w = W / (1 << (l - 1)), h = H / (1 << (l - 1));
                Func c3(level_name("downsampled_clamped", l - 1));
                c3(x, y, c) = prev(clamp(x, 0, w), clamp(y, 0, h), c);
                prev = c3;
            }
            Func downx(level_name("downx", l));
            downx(x, y, c) =
                (prev(x * 2 - 1, y, c) + 2.0f * prev(x * 2, y, c) + prev(x * 2 + 1, y, c)) * 0.25f;
            downsampled[l] = Func(level_name("downsampled", l));
            downsampled[l](x, y, c) =
                (downx(x, y * 2 - 1, c) + 2.0f * downx(x, y * 2, c) + downx(x, y * 2 + 1, c)) * 0.25f;
        }
        interpolated[L - 1] = Func(level_name("interpolated", L - 1));
        interpolated[L - 1](x, y, c) = downsampled[L - 1](x, y, c);
        for (int l = L - 2; l >= 0; l--) {
            Func upsampledx(level_name("upsampledx", l)), upsampled(level_name("upsampled", l));
            upsampledx(x, y, c) =
                (interpolated[l + 1](x / 2, y, c) + interpolated[l + 1]((x + 1) / 2, y, c)) / 2.0f;
            upsampled(x, y, c) = (upsampledx(x, y / 2, c) + upsampledx(x, (y + 1) / 2, c)) / 2.0f;
            Expr alpha = 1.0f - downsampled[l](x, y, 3);
            interpolated[l] = Func(level_name("interpolated", l));
            interpolated[l](x, y, c) = downsampled[l](x, y, c) + alpha * upsampled(x, y, c);
        }
        Func out("interpolate");
        out(x, y, c) = interpolated[0](x, y, c) / interpolated[0](x, y, 3);
        out.set_estimates({{0, W}, {0, H}, {0, 3}});
        if (scheduled) {
            const int vec = host_target().natural_vector_size<float>();
            const TailStrategy guard = TailStrategy::GuardWithIf;
            for (int l = 1; l < L; l++) {
                for (Func f : {downsampled[l], interpolated[l]})
                    f.compute_root().reorder(x, c, y).parallel(y, 8, guard).vectorize(x, vec, guard);
            }
            out.reorder(x, c, y).parallel(y, 8, guard).vectorize(x, vec, guard);
        }
        return Pipeline(out);
    };
    d.build = [build](const ParamValues &p) { return build(p, false); };
    d.build_as_written = [build](const ParamValues &p) { return build(p, true); };
    d.flops = [](const ParamValues &p) {
        const int L = p.i("levels");
        double f = level_pixels(p, 0) * (3 + 3);  // premultiply, normalize
        for (int l = 0; l < L; l++) {
            const double P = level_pixels(p, l);
            if (l > 0) f += 4 * 4 * 3 * P;            // 4 channels, x pass (2P) + y pass, 4 ops each
            if (l < L - 1) f += 4 * (4 + 2 + 3) * P;  // upsample x (P/2) and y, composite
        }
        return f;
    };
    d.ranges = {{"input", {0, 1}}};
    return d;
}

}  // namespace

void add_pyramid_ops(std::vector<OpDef> &defs) {
    defs.push_back(local_laplacian());
    defs.push_back(interpolate());
}

}  // namespace htune
