// Raw camera pipeline: 16-bit GRBG Bayer sensor data -> 8-bit RGB, plus a quarter-size preview.
// Exercises: uint16 input, two Outputs, hot-pixel suppression with minimum()/maximum() over an RDom
// with where(), deinterleave + bilinear demosaic, a color matrix Input<Buffer<float, 2>>, a curve LUT
// Func. NOTE: the input estimate is sensor = output + (16, 12), but the stencils read ~6 more pixels.
#include "Halide.h"

namespace {

using namespace Halide;

class CameraPipe : public Generator<CameraPipe> {
public:
    GeneratorParam<int> width{"width", 2560};    // output width
    GeneratorParam<int> height{"height", 1920};  // output height

    Input<Buffer<uint16_t, 2>> input{"input"};
    Input<Buffer<float, 2>> matrix{"matrix"};  // 4 x 3: matrix(0..2, c) weights, matrix(3, c) offset
    Input<float> gamma{"gamma"};
    Input<float> contrast{"contrast"};
    Output<Buffer<uint8_t, 3>> processed{"processed"};
    Output<Buffer<uint8_t, 3>> preview{"preview"};

    Var x{"x"}, y{"y"}, c{"c"};

    // Full-res image from the four half-res Bayer planes (a at even x even y, b odd x even y, ...).
    Func interleave(Func a, Func b, Func c_, Func d) {
        Func f("interleaved");
        Expr hx = x / 2, hy = y / 2;
        f(x, y) = select(y % 2 == 0, select(x % 2 == 0, a(hx, hy), b(hx, hy)),
                         select(x % 2 == 0, c_(hx, hy), d(hx, hy)));
        return f;
    }

    void generate() {
        // The sensor has a 16 x 12 dark border before the active area.
        Func shifted("shifted");
        shifted(x, y) = cast<int32_t>(input(x + 16, y + 12));

        // Clamp each pixel to the range of its 8 same-color neighbours.
        RDom r(-1, 3, -1, 3);
        r.where(r.x != 0 || r.y != 0);
        Func denoised("denoised");
        denoised(x, y) = clamp(shifted(x, y), minimum(shifted(x + 2 * r.x, y + 2 * r.y)),
                               maximum(shifted(x + 2 * r.x, y + 2 * r.y)));

        Func g_gr("g_gr"), r_r("r_r"), b_b("b_b"), g_gb("g_gb");
        g_gr(x, y) = denoised(2 * x, 2 * y);
        r_r(x, y) = denoised(2 * x + 1, 2 * y);
        b_b(x, y) = denoised(2 * x, 2 * y + 1);
        g_gb(x, y) = denoised(2 * x + 1, 2 * y + 1);

        // Bilinear demosaic on the half-res planes.
        Func g_r, g_b, r_gr, r_gb, r_b, b_gr, b_gb, b_r;
        g_r(x, y) = (g_gr(x, y) + g_gr(x + 1, y) + g_gb(x, y - 1) + g_gb(x, y) + 2) / 4;
        g_b(x, y) = (g_gb(x - 1, y) + g_gb(x, y) + g_gr(x, y) + g_gr(x, y + 1) + 2) / 4;
        r_gr(x, y) = (r_r(x - 1, y) + r_r(x, y) + 1) / 2;
        r_gb(x, y) = (r_r(x, y) + r_r(x, y + 1) + 1) / 2;
        r_b(x, y) = (r_r(x - 1, y) + r_r(x, y) + r_r(x - 1, y + 1) + r_r(x, y + 1) + 2) / 4;
        b_gr(x, y) = (b_b(x, y - 1) + b_b(x, y) + 1) / 2;
        b_gb(x, y) = (b_b(x, y) + b_b(x + 1, y) + 1) / 2;
        b_r(x, y) = (b_b(x, y - 1) + b_b(x + 1, y - 1) + b_b(x, y) + b_b(x + 1, y) + 2) / 4;

        Func red = interleave(r_gr, r_r, r_b, r_gb);
        Func green = interleave(g_gr, g_r, g_b, g_gb);
        Func blue = interleave(b_gr, b_r, b_b, b_gb);

        // 10-bit sensor values, color corrected in float.
        Func corrected("corrected");
        Expr rf = red(x, y) / 1023.0f, gf = green(x, y) / 1023.0f, bf = blue(x, y) / 1023.0f;
        corrected(x, y, c) = matrix(3, c) + matrix(0, c) * rf + matrix(1, c) * gf + matrix(2, c) * bf;

        // Gamma + contrast tone curve as a 1024-entry lookup table.
        Var v("v");
        Func curve("curve");
        Expr t = clamp(v / 1023.0f, 0.0f, 1.0f);
        Expr g = pow(t, 1.0f / gamma);
        Expr s = g * g * (3.0f - 2.0f * g);
        curve(v) = cast<uint8_t>(clamp(lerp(g, s, contrast) * 255.0f + 0.5f, 0.0f, 255.0f));

        Func curved("curved");
        curved(x, y, c) = curve(clamp(cast<int>(corrected(x, y, c) * 1023.0f + 0.5f), 0, 1023));

        processed(x, y, c) = curved(x, y, c);

        RDom box(0, 4, 0, 4);
        preview(x, y, c) =
            cast<uint8_t>((sum(cast<uint16_t>(curved(4 * x + box.x, 4 * y + box.y, c))) + 8) / 16);

        input.set_estimates({{0, width + 16}, {0, height + 12}});
        matrix.set_estimates({{0, 4}, {0, 3}});
        gamma.set_estimate(2.2f);
        contrast.set_estimate(0.5f);
        processed.set_estimates({{0, width}, {0, height}, {0, 3}});
        preview.set_estimates({{0, width / 4}, {0, height / 4}, {0, 3}});

        if (!auto_schedule) {
            Var yo("yo"), yi("yi");
            curve.compute_root();
            denoised.compute_root().parallel(y, 8).vectorize(x, 16);
            processed.split(y, yo, yi, 16).parallel(yo).vectorize(x, 16);
            preview.parallel(y).vectorize(x, 8);
        }
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(CameraPipe, camera_pipe)
