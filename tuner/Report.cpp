// HTML report (see Report.h).
#include "tuner/Report.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace htune {

namespace {

std::string esc(const std::string &s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string num(double x, int digits = 3) {
    std::ostringstream os;
    os << std::setprecision(digits) << x;
    return os.str();
}

std::string fixed(double x, int digits) {
    std::ostringstream os;
    os << std::fixed << std::setprecision(digits) << x;
    return os.str();
}

const char *color_of(const std::string &schedule) {
    if (schedule == "tuned") return "#d62728";
    if (schedule == "heuristic") return "#1f77b4";
    if (schedule == "adams2019") return "#2ca02c";
    if (schedule == "li2018") return "#9467bd";
    if (schedule == "mullapudi2016") return "#8c564b";
    if (schedule == "openblas") return "#ff7f0e";
    if (schedule == "onednn") return "#17becf";
    return "#7f7f7f";
}

// Horizontal bars of time (ms, linear from 0); failed rows show their status
// instead of a bar.
std::string bar_chart(const CompareWorkload &cw) {
    const int label_w = 120, plot_w = 460, row_h = 24, top = 10;
    double max_ms = 0;
    for (const CompareRow &r : cw.rows)
        if (r.ok()) max_ms = std::max(max_ms, r.time_ms);
    const int h = top + row_h * (int)cw.rows.size() + 24;
    std::ostringstream os;
    os << "<svg class=\"chart bars\" width=\"" << label_w + plot_w + 150 << "\" height=\"" << h
       << "\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
          "aria-label=\"time per schedule\">\n";
    for (size_t i = 0; i < cw.rows.size(); i++) {
        const CompareRow &r = cw.rows[i];
        int y = top + row_h * (int)i;
        os << "<text x=\"" << label_w - 6 << "\" y=\"" << y + 16 << "\" text-anchor=\"end\">"
           << esc(r.schedule) << "</text>";
        if (r.ok() && max_ms > 0) {
            double w = std::max(1.0, plot_w * r.time_ms / max_ms);
            os << "<rect class=\"bar\" x=\"" << label_w << "\" y=\"" << y + 3 << "\" width=\"" << fixed(w, 1)
               << "\" height=\"" << row_h - 6 << "\" fill=\"" << color_of(r.schedule) << "\"><title>"
               << esc(r.schedule) << ": " << num(r.time_ms) << " ms</title></rect>";
            os << "<text x=\"" << fixed(label_w + w + 4, 1) << "\" y=\"" << y + 16 << "\">" << num(r.time_ms)
               << " ms";
            if (r.vs_heuristic > 0) os << " (" << num(r.vs_heuristic) << "x vs heuristic)";
            os << "</text>";
        } else {
            os << "<text class=\"failed\" x=\"" << label_w + 4 << "\" y=\"" << y + 16 << "\">"
               << esc(r.status) << "</text>";
        }
        os << "\n";
    }
    int axis_y = top + row_h * (int)cw.rows.size() + 4;
    os << "<line x1=\"" << label_w << "\" y1=\"" << axis_y << "\" x2=\"" << label_w + plot_w << "\" y2=\""
       << axis_y << "\" stroke=\"#444\"/>";
    os << "<text x=\"" << label_w << "\" y=\"" << axis_y + 16 << "\">0</text>";
    os << "<text x=\"" << label_w + plot_w << "\" y=\"" << axis_y + 16 << "\" text-anchor=\"end\">"
       << num(max_ms) << " ms</text>\n</svg>\n";
    return os.str();
}

// Best-so-far time vs trial (log-scale time axis), with the heuristic and
// adams2019 times of this run as dashed reference lines.
std::string curve_chart(const CompareWorkload &cw) {
    std::vector<const HistoryPoint *> pts;
    for (const HistoryPoint &p : cw.history)
        if (p.best_ms > 0) pts.push_back(&p);
    if (pts.empty()) return "";
    std::vector<std::pair<std::string, double>> refs;
    for (const CompareRow &r : cw.rows)
        if (r.ok() && (r.schedule == "heuristic" || r.schedule == "adams2019" || r.schedule == "tuned"))
            refs.push_back({r.schedule, r.time_ms});
    double lo = pts.back()->best_ms, hi = pts.front()->best_ms;
    for (auto &[n, ms] : refs) lo = std::min(lo, ms), hi = std::max(hi, ms);
    lo /= 1.2;
    hi *= 1.2;
    const int left = 70, width = 520, top = 10, height = 200;
    const int trials = std::max(2, cw.history.back().trial);
    auto xs = [&](double trial) { return left + width * (trial - 1) / (trials - 1); };
    auto ys = [&](double ms) {
        return top + height * (std::log(hi) - std::log(ms)) / (std::log(hi) - std::log(lo));
    };
    std::ostringstream os;
    os << "<svg class=\"chart curve\" width=\"" << left + width + 120 << "\" height=\"" << top + height + 40
       << "\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
          "aria-label=\"tuning curve\">\n";
    os << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << width << "\" height=\"" << height
       << "\" fill=\"none\" stroke=\"#ccc\"/>";
    os << "<polyline class=\"curve-line\" fill=\"none\" stroke=\"#d62728\" "
          "stroke-width=\"2\" points=\"";
    double prev_best = 0;
    for (const HistoryPoint *p : pts) {
        if (prev_best > 0) os << fixed(xs(p->trial), 1) << "," << fixed(ys(prev_best), 1) << " ";
        os << fixed(xs(p->trial), 1) << "," << fixed(ys(p->best_ms), 1) << " ";
        prev_best = p->best_ms;
    }
    os << fixed(xs(trials), 1) << "," << fixed(ys(prev_best), 1) << "\"/>\n";
    for (auto &[name, ms] : refs) {
        if (name == "tuned") continue;
        os << "<line x1=\"" << left << "\" x2=\"" << left + width << "\" y1=\"" << fixed(ys(ms), 1)
           << "\" y2=\"" << fixed(ys(ms), 1) << "\" stroke=\"" << color_of(name)
           << "\" stroke-dasharray=\"5,4\"/>";
        os << "<text x=\"" << left + width + 4 << "\" y=\"" << fixed(ys(ms) + 4, 1) << "\">" << esc(name)
           << " " << num(ms) << " ms</text>\n";
    }
    os << "<text x=\"" << left - 4 << "\" y=\"" << top + 12 << "\" text-anchor=\"end\">" << num(hi)
       << " ms</text>";
    os << "<text x=\"" << left - 4 << "\" y=\"" << top + height << "\" text-anchor=\"end\">" << num(lo)
       << " ms</text>";
    os << "<text x=\"" << left << "\" y=\"" << top + height + 16 << "\">trial 1</text>";
    os << "<text x=\"" << left + width << "\" y=\"" << top + height + 16 << "\" text-anchor=\"end\">trial "
       << trials << "</text>";
    os << "<text x=\"" << left + width / 2 << "\" y=\"" << top + height + 34
       << "\" text-anchor=\"middle\">best-so-far time (log scale) vs trial, from "
          "the tuning database</text>\n";
    os << "</svg>\n";
    return os.str();
}

std::string table(const CompareWorkload &cw) {
    const bool by_flops = cw.flops > 0;
    std::ostringstream os;
    os << "<table><tr><th>schedule</th><th>status</th><th>time ms</th><th>" << (by_flops ? "GFLOP/s" : "GB/s")
       << "</th><th>% peak</th><th>vs heuristic</th><th>vs "
          "adams2019</th><th>note</th></tr>\n";
    for (const CompareRow &r : cw.rows) {
        os << "<tr class=\"" << (r.ok() ? "ok" : "bad") << "\"><td>" << esc(r.schedule) << "</td><td>"
           << esc(r.status) << "</td>";
        if (r.ok())
            os << "<td>" << num(r.time_ms) << "</td><td>" << fixed(by_flops ? r.gflops : r.gbs, 1)
               << "</td><td>" << fixed(r.pct_peak, 1) << "%</td><td>"
               << (r.vs_heuristic > 0 ? num(r.vs_heuristic) + "x" : "-") << "</td><td>"
               << (r.vs_adams2019 > 0 ? num(r.vs_adams2019) + "x" : "-") << "</td>";
        else
            os << "<td>-</td><td>-</td><td>-</td><td>-</td><td>-</td>";
        std::string note = r.error.size() > 600 ? r.error.substr(0, 600) + "..." : r.error;
        os << "<td class=\"note\">" << esc(note) << "</td></tr>\n";
    }
    os << "</table>\n";
    return os.str();
}

}  // namespace

std::string render_html(const CompareReport &rep) {
    std::ostringstream os;
    os << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
       << "<title>htune compare</title>\n<style>\n"
       << "body{font-family:sans-serif;margin:2em;color:#222}"
       << "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid "
          "#ccc;padding:3px 8px;"
          "text-align:right}td:first-child,td:nth-child(2),td.note{text-align:"
          "left}"
       << "td.note{max-width:40em;font-size:small;color:#555}tr.bad "
          "td{color:#a00}"
       << "svg text{font-size:12px}svg "
          "text.failed{fill:#a00}section{margin-bottom:3em}\n"
       << "</style></head>\n<body>\n<h1>htune compare</h1>\n";
    os << "<p class=\"machine\">Device: <code>" << esc(rep.device_key)
       << "</code><br>Peak: " << fixed(rep.peaks.peak_gflops, 1) << " GFLOP/s fp32 FMA ("
       << esc(rep.peaks.fma_isa) << ", " << rep.peaks.threads << " threads), "
       << fixed(rep.peaks.bandwidth_gbs, 1)
       << " GB/s memory bandwidth. Times are the best of the timed repeats; "
          "speedups are time ratios "
          "(&gt; 1 = faster).</p>\n";
    for (const CompareWorkload &cw : rep.workloads) {
        os << "<section class=\"workload\">\n<h2>" << esc(cw.workload) << "</h2>\n";
        os << bar_chart(cw) << table(cw);
        std::string curve = curve_chart(cw);
        if (!curve.empty())
            os << "<h3>Tuning curve</h3>\n" << curve;
        else
            os << "<p class=\"nohistory\">No tuning history for this workload and "
                  "device in the database.</p>\n";
        os << "</section>\n";
    }
    // Measures what the browser drew, so a headless check can tell rendered
    // charts from empty ones: <body data-rendered="charts=N nonzero=M">.
    os << "<script>\n(function(){var "
          "c=document.querySelectorAll('svg.chart'),n=0;"
          "for(var i=0;i<c.length;i++){var b=c[i].getBBox();var "
          "marks=c[i].querySelectorAll('rect.bar,polyline');"
          "var ok=b.width>0&&b.height>0;for(var k=0;k<marks.length;k++){var "
          "m=marks[k].getBBox();"
          "if(!(m.width>0||m.height>0))ok=false;}if(ok)n++;}"
          "document.body.setAttribute('data-rendered','charts='+c.length+' "
          "nonzero='+n);})();\n</script>\n";
    os << "</body></html>\n";
    return os.str();
}

}  // namespace htune
