// SearchBench.h: the plot of the search benchmark, one self-contained SVG (no script, no fonts or
// styles from elsewhere) so that docs/BENCHMARKS.md can link it and any browser shows it offline.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "tuner/bench/SearchBench.h"

namespace htune {

namespace {

std::string xml_escape(const std::string &s) {
    std::string out;
    for (char c : s) {
        if (c == '&')
            out += "&amp;";
        else if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else if (c == '"')
            out += "&quot;";
        else
            out += c;
    }
    return out;
}

std::string num(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", x);
    return buf;
}

// A round step for about `ticks` ticks over [0, span]: 1, 2 or 5 times a power of ten.
double tick_step(double span, int ticks) {
    if (span <= 0) return 1;
    double raw = span / ticks, p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= raw) return m * p;
    return 10 * p;
}

const char *color_of(size_t i) {
    static const char *colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
    return colors[i % (sizeof colors / sizeof colors[0])];
}

}  // namespace

std::string search_bench_svg(const BenchSummary &s, const std::string &title) {
    const double width = 720, height = 420, left = 60, right = 150, top = 40, bottom = 50;
    const double pw = width - left - right, ph = height - top - bottom;
    size_t length = 0;
    for (const auto &c : s.median_curves) length = std::max(length, c.size());
    const double max_trial = length > 1 ? (double)(length - 1) : 1.0;
    auto x_of = [&](double t) { return left + pw * t / max_trial; };
    auto y_of = [&](double v) { return top + ph * (1 - std::min(1.0, std::max(0.0, v))); };

    std::ostringstream os;
    os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
       << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
       << "\" viewBox=\"0 0 " << width << " " << height << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
       << "<rect x=\"0\" y=\"0\" width=\"" << width << "\" height=\"" << height << "\" fill=\"white\"/>\n"
       << "<text x=\"" << num(left) << "\" y=\"22\" font-size=\"14\">" << xml_escape(title) << "</text>\n";
    // Grid and axes: y = best known / best so far (1 = the best any run found), x = trials.
    for (int i = 0; i <= 4; i++) {
        double v = i / 4.0, y = y_of(v);
        os << "<line x1=\"" << num(left) << "\" y1=\"" << num(y) << "\" x2=\"" << num(left + pw) << "\" y2=\""
           << num(y) << "\" stroke=\"#dddddd\"/>\n"
           << "<text x=\"" << num(left - 6) << "\" y=\"" << num(y + 4) << "\" text-anchor=\"end\">" << v
           << "</text>\n";
    }
    double step = tick_step(max_trial, 6);
    for (double t = 0; t <= max_trial + 1e-9; t += step) {
        double x = x_of(t);
        os << "<line x1=\"" << num(x) << "\" y1=\"" << num(top + ph) << "\" x2=\"" << num(x) << "\" y2=\""
           << num(top + ph + 4) << "\" stroke=\"black\"/>\n"
           << "<text x=\"" << num(x) << "\" y=\"" << num(top + ph + 18) << "\" text-anchor=\"middle\">" << t
           << "</text>\n";
    }
    os << "<rect x=\"" << num(left) << "\" y=\"" << num(top) << "\" width=\"" << num(pw) << "\" height=\""
       << num(ph) << "\" fill=\"none\" stroke=\"black\"/>\n"
       << "<text x=\"" << num(left + pw / 2) << "\" y=\"" << num(height - 10)
       << "\" text-anchor=\"middle\">trials</text>\n"
       << "<text transform=\"translate(16 " << num(top + ph / 2)
       << ") rotate(-90)\" text-anchor=\"middle\">best known / best so far (median)</text>\n";
    // Within 5% of the best known.
    double y5 = y_of(1 / kWithinBestKnown);
    os << "<line x1=\"" << num(left) << "\" y1=\"" << num(y5) << "\" x2=\"" << num(left + pw) << "\" y2=\""
       << num(y5) << "\" stroke=\"#888888\" stroke-dasharray=\"4 4\"/>\n";
    for (size_t i = 0; i < s.median_curves.size() && i < s.strategies.size(); i++) {
        const auto &c = s.median_curves[i];
        os << "<polyline fill=\"none\" stroke=\"" << color_of(i) << "\" stroke-width=\"2\" points=\"";
        for (size_t t = 0; t < c.size(); t++)
            os << (t ? " " : "") << num(x_of((double)t)) << "," << num(y_of(c[t]));
        os << "\"><title>" << xml_escape(s.strategies[i]) << "</title></polyline>\n";
        double ly = top + 14 + 20 * (double)i, lx = left + pw + 14;
        os << "<line x1=\"" << num(lx) << "\" y1=\"" << num(ly) << "\" x2=\"" << num(lx + 24) << "\" y2=\""
           << num(ly) << "\" stroke=\"" << color_of(i) << "\" stroke-width=\"2\"/>\n"
           << "<text x=\"" << num(lx + 30) << "\" y=\"" << num(ly + 4) << "\">" << xml_escape(s.strategies[i])
           << "</text>\n";
    }
    double ly = top + 14 + 20 * (double)s.strategies.size(), lx = left + pw + 14;
    os << "<line x1=\"" << num(lx) << "\" y1=\"" << num(ly) << "\" x2=\"" << num(lx + 24) << "\" y2=\""
       << num(ly) << "\" stroke=\"#888888\" stroke-dasharray=\"4 4\"/>\n"
       << "<text x=\"" << num(lx + 30) << "\" y=\"" << num(ly + 4) << "\">within 5%</text>\n"
       << "</svg>\n";
    return os.str();
}

}  // namespace htune
