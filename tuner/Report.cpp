// HTML report (see Report.h).
#include "tuner/Report.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "tuner/WorkloadOptions.h"

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
            os << "<rect class=\"bar\" x=\"" << label_w << "\" y=\"" << y + 3 << "\" width=\""
               << fixed_text(w, 1) << "\" height=\"" << row_h - 6 << "\" fill=\"" << color_of(r.schedule)
               << "\"><title>" << esc(r.schedule) << ": " << num(r.time_ms) << " ms</title></rect>";
            os << "<text x=\"" << fixed_text(label_w + w + 4, 1) << "\" y=\"" << y + 16 << "\">"
               << num(r.time_ms) << " ms";
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
        if (prev_best > 0) os << fixed_text(xs(p->trial), 1) << "," << fixed_text(ys(prev_best), 1) << " ";
        os << fixed_text(xs(p->trial), 1) << "," << fixed_text(ys(p->best_ms), 1) << " ";
        prev_best = p->best_ms;
    }
    os << fixed_text(xs(trials), 1) << "," << fixed_text(ys(prev_best), 1) << "\"/>\n";
    for (auto &[name, ms] : refs) {
        if (name == "tuned") continue;
        os << "<line x1=\"" << left << "\" x2=\"" << left + width << "\" y1=\"" << fixed_text(ys(ms), 1)
           << "\" y2=\"" << fixed_text(ys(ms), 1) << "\" stroke=\"" << color_of(name)
           << "\" stroke-dasharray=\"5,4\"/>";
        os << "<text x=\"" << left + width + 4 << "\" y=\"" << fixed_text(ys(ms) + 4, 1) << "\">" << esc(name)
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
            os << "<td>" << num(r.time_ms) << "</td><td>" << fixed_text(by_flops ? r.gflops : r.gbs, 1)
               << "</td><td>" << fixed_text(r.pct_peak, 1) << "%</td><td>"
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

std::string model_params(const ModelSummary &m) {
    std::string out;
    for (const auto &[k, v] : m.parameters) out += (out.empty() ? "" : ", ") + k + "=" + std::to_string(v);
    return out;
}

std::string layer_name(const ModelLayer &l) { return l.label.empty() ? l.name : l.label; }

// The end-to-end table: one row per column (schedule), its total or why it has none.
std::string model_table(const ModelSummary &m) {
    std::ostringstream os;
    os << "<table class=\"model\"><tr><th>schedule</th><th>total ms</th><th>vs heuristic</th><th>vs best "
          "autoscheduler</th><th>note</th></tr>\n";
    for (const ModelColumn &c : m.columns) {
        os << "<tr class=\"" << (c.complete() ? "ok" : "bad") << "\"><td>" << esc(c.schedule) << "</td>";
        if (c.complete())
            os << "<td>" << num(c.total_ms, 4) << "</td><td>"
               << (c.vs_heuristic > 0 ? num(c.vs_heuristic) + "x" : "-") << "</td><td>"
               << (c.vs_best_autoscheduler > 0 ? num(c.vs_best_autoscheduler) + "x" : "-")
               << "</td><td class=\"note\">"
               << (c.schedule == m.best_autoscheduler ? "best autoscheduler" : "") << "</td>";
        else
            os << "<td>" << esc(model_total_text(c, m.layers))
               << "</td><td>-</td><td>-</td><td class=\"note\">incomplete: no total</td>";
        os << "</tr>\n";
    }
    os << "</table>\n";
    return os.str();
}

// The share of the model's time per layer, largest first: bars and a table.
std::string share_chart(const ModelSummary &m) {
    const int label_w = 260, plot_w = 360, row_h = 22, top = 6;
    const ModelColumn *c = m.column(m.share_column);
    double max_share = 0;
    for (const ModelLayer &l : m.by_share) max_share = std::max(max_share, l.share);
    std::ostringstream os;
    os << "<svg class=\"chart bars share\" width=\"" << label_w + plot_w + 160 << "\" height=\""
       << top + row_h * (int)m.by_share.size() + 8
       << "\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"share of the model's time per "
          "layer\">\n";
    for (size_t i = 0; i < m.by_share.size(); i++) {
        const ModelLayer &l = m.by_share[i];
        std::string name = layer_name(l);
        if (name.size() > 40) name = name.substr(0, 37) + "...";
        int y = top + row_h * (int)i;
        double w = max_share > 0 ? std::max(1.0, plot_w * l.share / max_share) : 1.0;
        os << "<text x=\"" << label_w - 6 << "\" y=\"" << y + 15 << "\" text-anchor=\"end\">" << esc(name)
           << "</text><rect class=\"bar\" x=\"" << label_w << "\" y=\"" << y + 3 << "\" width=\""
           << fixed_text(w, 1) << "\" height=\"" << row_h - 6 << "\" fill=\"" << color_of(m.share_column)
           << "\"><title>" << esc(l.label.empty() ? l.name : l.label + " (" + l.name + ")") << ": "
           << num(l.count) << " x " << num(l.time_ms) << " ms</title></rect><text x=\""
           << fixed_text(label_w + w + 4, 1) << "\" y=\"" << y + 15 << "\">" << fixed_text(100 * l.share, 1)
           << "% (" << num(l.count) << " x " << num(l.time_ms) << " ms)</text>\n";
    }
    os << "</svg>\n";
    os << "<table class=\"share\"><tr><th>layer</th><th>workload</th><th>count</th><th>"
       << esc(m.share_column) << " ms</th><th>count x ms</th><th>share of " << num(c->total_ms, 4)
       << " ms</th></tr>\n";
    for (const ModelLayer &l : m.by_share)
        os << "<tr><td>" << esc(l.label.empty() ? "-" : l.label) << "</td><td>" << esc(l.name) << "</td><td>"
           << num(l.count) << "</td><td>" << num(l.time_ms) << "</td><td>" << num(l.count * l.time_ms)
           << "</td><td>" << fixed_text(100 * l.share, 1) << "%</td></tr>\n";
    os << "</table>\n";
    return os.str();
}

// The model latency vs minutes of tuning (log-scale time axis, step line), with this run's
// heuristic, best autoscheduler and tuned totals as dashed reference lines.
std::string model_curve_chart(const ModelSummary &m) {
    if (m.curve.empty()) return "";
    std::vector<std::pair<std::string, double>> refs;
    for (const char *name : {"heuristic", m.best_autoscheduler.c_str(), "tuned"}) {
        const ModelColumn *c = m.column(name);
        if (c && c->complete() && c->total_ms > 0) refs.push_back({c->schedule, c->total_ms});
    }
    double lo = m.curve.front().ms, hi = m.curve.front().ms;
    for (const ModelCurvePoint &p : m.curve) lo = std::min(lo, p.ms), hi = std::max(hi, p.ms);
    for (auto &[n, ms] : refs) lo = std::min(lo, ms), hi = std::max(hi, ms);
    lo /= 1.2;
    hi *= 1.2;
    const int left = 70, width = 520, top = 10, height = 200;
    // x from 0 to the last record (the curve stays flat after its last change), never empty.
    double xmax = std::max(m.curve_end, m.curve.back().minutes);
    if (xmax <= m.curve.front().minutes) xmax = m.curve.front().minutes + 1;
    auto xs = [&](double min) { return left + width * min / xmax; };
    auto ys = [&](double ms) {
        return top + height * (std::log(hi) - std::log(ms)) / (std::log(hi) - std::log(lo));
    };
    std::ostringstream os;
    os << "<svg class=\"chart curve model-curve\" width=\"" << left + width + 160 << "\" height=\""
       << top + height + 40
       << "\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"model latency over tuning "
          "time\">\n";
    os << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << width << "\" height=\"" << height
       << "\" fill=\"none\" stroke=\"#ccc\"/>";
    os << "<polyline class=\"curve-line\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" points=\"";
    double prev = 0;
    for (const ModelCurvePoint &p : m.curve) {
        if (prev > 0) os << fixed_text(xs(p.minutes), 1) << "," << fixed_text(ys(prev), 1) << " ";
        os << fixed_text(xs(p.minutes), 1) << "," << fixed_text(ys(p.ms), 1) << " ";
        prev = p.ms;
    }
    os << fixed_text(left + width, 1) << "," << fixed_text(ys(prev), 1) << "\">";
    os << "<title>" << num(m.curve.front().ms) << " ms at " << fixed_text(m.curve.front().minutes, 1)
       << " min -> " << num(m.curve.back().ms) << " ms at " << fixed_text(m.curve.back().minutes, 1)
       << " min</title></polyline>\n";
    for (auto &[name, ms] : refs) {
        os << "<line x1=\"" << left << "\" x2=\"" << left + width << "\" y1=\"" << fixed_text(ys(ms), 1)
           << "\" y2=\"" << fixed_text(ys(ms), 1) << "\" stroke=\"" << color_of(name)
           << "\" stroke-dasharray=\"5,4\"/>";
        os << "<text x=\"" << left + width + 4 << "\" y=\"" << fixed_text(ys(ms) + 4, 1) << "\">" << esc(name)
           << " " << num(ms) << " ms</text>\n";
    }
    os << "<text x=\"" << left - 4 << "\" y=\"" << top + 12 << "\" text-anchor=\"end\">" << num(hi)
       << " ms</text>";
    os << "<text x=\"" << left - 4 << "\" y=\"" << top + height << "\" text-anchor=\"end\">" << num(lo)
       << " ms</text>";
    os << "<text x=\"" << left << "\" y=\"" << top + height + 16 << "\">0 min</text>";
    os << "<text x=\"" << left + width << "\" y=\"" << top + height + 16 << "\" text-anchor=\"end\">"
       << fixed_text(xmax, 1) << " min</text>";
    os << "<text x=\"" << left + width / 2 << "\" y=\"" << top + height + 34
       << "\" text-anchor=\"middle\">model latency (log scale) vs minutes since the first record of these "
          "layers; dashed: this run's totals</text>\n";
    os << "</svg>\n";
    return os.str();
}

std::string model_section(const ModelSummary &m) {
    std::ostringstream os;
    os << "<section class=\"model\">\n<h2>Model: " << esc(m.name);
    if (!m.parameters.empty()) os << " (" << esc(model_params(m)) << ")";
    os << "</h2>\n";
    if (!m.description.empty()) os << "<p class=\"description\">" << esc(m.description) << "</p>\n";
    os << "<p>" << m.layers << " distinct layers, " << num(m.instances)
       << " layer instances. End-to-end time = the sum over layers of count &times; the layer's time in "
          "that column. A column that misses a layer (not measured, failed, no row for that op) has "
          "<em>no</em> total: it is shown as incomplete, with how many layers it misses.</p>\n";
    os << model_table(m);
    if (m.best_autoscheduler.empty())
        os << "<p class=\"note\">No autoscheduler column is complete: no speedups against the best "
              "autoscheduler.</p>\n";
    os << "<h3>Share of the model's time per layer</h3>\n";
    if (m.share_column.empty()) {
        os << "<p class=\"noshare\">Neither the tuned nor the heuristic column is complete: no share.</p>\n";
    } else {
        os << "<p>Of the <b>" << esc(m.share_column) << "</b> column's total"
           << (m.share_column == "heuristic" ? " (the tuned column is incomplete or absent)" : "")
           << ", largest first.</p>\n"
           << share_chart(m);
    }
    os << "<h3>Model latency over the tuning</h3>\n";
    std::string curve = model_curve_chart(m);
    if (!curve.empty())
        os << "<p>From the tuning database's records (their stored times, not this run's): at each moment, "
              "the sum over layers of count &times; the best ok time measured so far, from the moment every "
              "layer has one.</p>\n"
           << curve;
    else if (m.layers_without_best > 0)
        os << "<p class=\"nohistory\">No curve: " << m.layers_without_best << " of " << m.layers
           << " layers have no ok record for this device in the database.</p>\n";
    else
        os << "<p class=\"nohistory\">No tuning history for these layers in the database.</p>\n";
    os << "</section>\n";
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
       << "</code><br>Peak: " << fixed_text(rep.peaks.peak_gflops, 1) << " GFLOP/s fp32 FMA ("
       << esc(rep.peaks.fma_isa) << ", " << rep.peaks.threads << " threads), "
       << fixed_text(rep.peaks.bandwidth_gbs, 1)
       << " GB/s memory bandwidth. Times are the best of the timed repeats; "
          "speedups are time ratios "
          "(&gt; 1 = faster).</p>\n";
    if (rep.has_model()) os << model_section(summarize_model(rep));
    for (const CompareWorkload &cw : rep.workloads) {
        os << "<section class=\"workload\">\n<h2>" << esc(cw.workload) << "</h2>\n";
        if (!cw.label.empty() || cw.count != 1)
            os << "<p class=\"layer\">Layer: " << esc(cw.label.empty() ? "(unnamed)" : cw.label) << "; count "
               << num(cw.count) << "</p>\n";
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
