// `htune compare` rows, figures, table and JSON (see Compare.h).
#include "tuner/Compare.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <map>
#include <sstream>

#include "measure/OneDnn.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "schedules/Schedule.h"
#include "schedules/Space.h"
#include "tuner/WorkloadOptions.h"

namespace htune {

std::string plugin_path(const std::string &plugin_dir, const std::string &row) {
    return plugin_dir + "/libautoschedule_" + row + ".so";
}

const char *plugin_name(const std::string &row) {
    if (row == "mullapudi2016") return "Mullapudi2016";
    if (row == "li2018") return "Li2018";
    if (row == "adams2019") return "Adams2019";
    return nullptr;
}

namespace {

// Three significant digits without exponent for times: 0.0123, 1.23, 123,
// 12345.
std::string ms_text(double ms) {
    if (ms <= 0) return "-";
    if (ms < 0.01) return fixed_text(ms, 4);
    if (ms < 1) return fixed_text(ms, 3);
    if (ms < 100) return fixed_text(ms, 2);
    return fixed_text(ms, 0);
}

std::string count_text(double count) {
    std::ostringstream os;
    os << count;
    return os.str();
}

std::string ratio_text(double r) { return r > 0 ? fixed_text(r, r < 10 ? 2 : 1) + "x" : "-"; }

std::string first_line(const std::string &s, size_t max_len) {
    std::string line = s.substr(0, s.find('\n'));
    if (line.size() > max_len) line = line.substr(0, max_len - 3) + "...";
    return line;
}

}  // namespace

const std::vector<std::string> &compare_schedule_names() {
    static const std::vector<std::string> names = {"naive",  "heuristic", "mullapudi2016",
                                                   "li2018", "adams2019", "as_written",
                                                   "tuned",  "openblas",  "onednn"};
    return names;
}

std::vector<std::string> parse_compare_schedules(const std::string &list) {
    std::vector<std::string> out;
    std::stringstream ss(list);
    for (std::string item; std::getline(ss, item, ',');) {
        if (item.empty()) continue;
        bool known = false;
        for (const std::string &n : compare_schedule_names()) known |= n == item;
        if (!known)
            throw_usage("compare: unknown schedule '" + item +
                        "' in --schedules (expected naive, heuristic, mullapudi2016, "
                        "li2018, adams2019, as_written, "
                        "tuned, openblas, onednn)");
        for (const std::string &o : out)
            if (o == item) throw_usage("compare: schedule '" + item + "' is listed twice in --schedules");
        out.push_back(item);
    }
    if (out.empty()) throw_usage("compare: --schedules lists no schedule");
    return out;
}

CompareWorkload compare_workload(Runner &runner, const Workload &w, Database *db, const CompareOptions &o,
                                 const MachinePeaks &peaks) {
    CompareWorkload cw;
    cw.workload = w.canonical();
    cw.key = w.key();
    cw.flops = w.flops();
    cw.bytes = w.min_bytes();
    const bool is_matmul = w.op() == "matmul" && !spec_of(w).is_generator();

    // Rows in the requested order; the candidates to measure go into one batch.
    std::vector<Candidate> batch;
    std::vector<size_t> row_of;  // batch index -> row index
    auto add = [&](const std::string &name, const Candidate &c) {
        row_of.push_back(cw.rows.size());
        batch.push_back(c);
        CompareRow r;
        r.schedule = name;
        cw.rows.push_back(r);
    };
    auto note_row = [&](const std::string &name, const std::string &status, const std::string &note) {
        CompareRow r;
        r.schedule = name;
        r.status = status;
        r.error = note;
        cw.rows.push_back(r);
    };
    for (const std::string &name : o.schedules) {
        if (name == "naive") {
            // Halide's default schedule may be very slow (no parallelism, no vectors,
            // stencils inlined): estimate from one reference run before spending
            // minutes on it.
            double ref_s = runner.reference_seconds(w);
            double estimate = ref_s * o.timed_runs;
            if (estimate > o.naive_limit_s) {
                note_row(name, "skipped",
                         "estimated " + fixed_text(estimate, 1) + " s for " + std::to_string(o.timed_runs) +
                             " runs (one reference run takes " + fixed_text(ref_s, 2) +
                             " s) > --naive-limit " + fixed_text(o.naive_limit_s, 1) + " s");
                continue;
            }
            Candidate c = Candidate::naive();
            c.run_timeout_s = o.naive_limit_s;
            add(name, c);
        } else if (name == "heuristic") {
            add(name, Candidate::of(ScheduleSpace(w, parse_target("host")).heuristic()));
        } else if (const char *plugin = plugin_name(name)) {
            std::string path = plugin_path(o.plugin_dir, name);
            if (access(path.c_str(), R_OK) != 0) {
                note_row(name, "unavailable", "plugin '" + path + "' not found");
                continue;
            }
            add(name, Candidate::autoscheduler(plugin, path, o.machine));
        } else if (name == "as_written") {
            // The schedule the Generator's author wrote, or a built-in operator's hand-written
            // one: a row only where there is one (built-in operators without one have no row).
            if (!w.has_own_schedule() && w.algorithm().library().empty()) continue;
            if (!w.has_own_schedule()) {
                note_row(name, "unavailable", "the Generator applies no schedule of its own");
                continue;
            }
            add(name, Candidate::as_written());
        } else if (name == "tuned") {
            if (!db) {
                note_row(name, "no_record", "no tuned record (no database)");
                continue;
            }
            Lookup best = db->best(cw.key, o.device_key);
            if (best.records.empty()) {
                note_row(name, "no_record", "no tuned record in '" + db->path() + "' for this workload");
                continue;
            }
            Schedule s;
            try {
                s = best.records[0].schedule.get<Schedule>();
            } catch (const std::exception &e) {
                note_row(name, "compile_error",
                         "the tuned record's schedule cannot be read: " + first_line(e.what(), 200));
                continue;
            }
            add(name, Candidate::of(s));
            cw.rows.back().error = "record " + best.records[0].schedule_hash + " (" + to_string(best.level) +
                                   "), stored " + ms_text(best.records[0].result.min_ms) + " ms";
        } else if (name == "openblas") {
            if (!is_matmul) continue;  // an outside reference for matmul only
            if (!have_openblas()) {
                note_row(name, "unavailable", "openblas not available (install libopenblas-dev and rebuild)");
                continue;
            }
            add(name, Candidate::external("openblas"));
        } else if (name == "onednn") {
            // An outside reference for the ops oneDNN computes in one primitive only, as openblas
            // for matmul: no row elsewhere.
            if (!onednn_unsupported(spec_of(w)).empty()) continue;
            if (!have_onednn()) {
                note_row(name, "unavailable", "onednn not available (install libdnnl-dev and rebuild)");
                continue;
            }
            add(name, Candidate::external("onednn"));
        }
    }

    std::vector<MeasureResult> results = runner.measure_candidates(w, batch);
    // Later rounds: the rows that measured ok, again in one batch; each keeps its best round.
    std::vector<std::vector<MeasureResult>> again(results.size());
    for (int round = 1; round < o.rounds; round++) {
        std::vector<Candidate> ok;
        std::vector<size_t> which;
        for (size_t i = 0; i < results.size(); i++)
            if (results[i].status == Status::ok) {
                ok.push_back(batch[i]);
                which.push_back(i);
            }
        if (ok.empty()) break;
        auto more = runner.measure_candidates(w, ok);
        for (size_t k = 0; k < more.size() && k < which.size(); k++) again[which[k]].push_back(more[k]);
    }
    for (size_t i = 0; i < results.size(); i++) {
        CompareRow &row = cw.rows[row_of[i]];
        const MeasureResult &r = results[i];
        row.status = to_string(r.status);
        row.compile_s = r.compile_s;
        if (r.status == Status::ok) {
            row.time_ms = r.min_ms;
            row.median_ms = r.median_ms;
            row.repeats = r.repeats;
            row.rounds = 1;
            row.round_ms = {r.min_ms};
            std::string later;  // later rounds that failed: said in the note, not hidden
            for (size_t k = 0; k < again[i].size(); k++) {
                const MeasureResult &m = again[i][k];
                if (m.status != Status::ok) {  // the row keeps its ok rounds
                    later += (later.empty() ? "" : "; ") + std::string("round ") + std::to_string(k + 2) +
                             ": " + to_string(m.status) +
                             (m.error.empty() ? "" : ": " + first_line(m.error, 80));
                    continue;
                }
                row.rounds++;
                row.round_ms.push_back(m.min_ms);
                row.repeats += m.repeats;
                if (m.min_ms < row.time_ms) {
                    row.time_ms = m.min_ms;
                    row.median_ms = m.median_ms;
                }
            }
            if (!later.empty()) row.error = row.error.empty() ? later : later + "; " + row.error;
        } else {
            std::string prefix = row.schedule == "naive" && r.status == Status::timeout
                                     ? "slower than --naive-limit " + fixed_text(o.naive_limit_s, 1) + " s: "
                                     : "";
            row.error = prefix + r.error + (row.error.empty() ? "" : " [" + row.error + "]");
        }
    }
    if (db) cw.history = db->history(cw.key, o.device_key);
    derive_figures(cw, peaks);
    return cw;
}

void derive_figures(CompareWorkload &cw, const MachinePeaks &peaks) {
    double heur = 0, adams = 0;
    for (const CompareRow &r : cw.rows) {
        if (r.ok() && r.schedule == "heuristic") heur = r.time_ms;
        if (r.ok() && r.schedule == "adams2019") adams = r.time_ms;
    }
    for (CompareRow &r : cw.rows) {
        r.gflops = r.gbs = r.pct_peak = r.vs_heuristic = r.vs_adams2019 = 0;
        if (!r.ok() || r.time_ms <= 0) continue;
        double s = r.time_ms * 1e-3;
        if (cw.flops > 0) r.gflops = cw.flops / s / 1e9;
        if (cw.bytes > 0) r.gbs = cw.bytes / s / 1e9;
        if (cw.flops > 0 && peaks.peak_gflops > 0)
            r.pct_peak = 100 * r.gflops / peaks.peak_gflops;
        else if (cw.flops <= 0 && peaks.bandwidth_gbs > 0)
            r.pct_peak = 100 * r.gbs / peaks.bandwidth_gbs;
        if (heur > 0) r.vs_heuristic = heur / r.time_ms;
        if (adams > 0) r.vs_adams2019 = adams / r.time_ms;
    }
}

std::string format_peaks(const MachinePeaks &p) {
    return "peak: " + fixed_text(p.peak_gflops, 1) + " GFLOP/s fp32 FMA (" + p.fma_isa + ", " +
           std::to_string(p.threads) + " threads), " + fixed_text(p.bandwidth_gbs, 1) +
           " GB/s memory bandwidth";
}

std::string format_table(const CompareWorkload &cw) {
    std::ostringstream os;
    const bool by_flops = cw.flops > 0;
    os << "workload: " << cw.workload;
    if (by_flops)
        os << "  (" << fixed_text(cw.flops / 1e9, 3) << " GFLOP";
    else
        os << "  (no flop count";
    os << ", " << fixed_text(cw.bytes / 1e6, 1) << " MB min traffic; % of "
       << (by_flops ? "FMA peak" : "bandwidth") << ")\n";
    if (!cw.label.empty() || cw.count != 1)  // a layer of a model: its name(s) and how often it occurs
        os << "  layer: " << (cw.label.empty() ? "(unnamed)" : cw.label) << "  count " << count_text(cw.count)
           << "\n";
    os << "  " << std::left << std::setw(14) << "schedule" << std::setw(14) << "status" << std::right
       << std::setw(10) << "time ms" << std::setw(10) << (by_flops ? "GFLOP/s" : "GB/s") << std::setw(8)
       << "% peak" << std::setw(10) << "vs heur" << std::setw(10) << "vs adams"
       << "  note\n";
    for (const CompareRow &r : cw.rows) {
        os << "  " << std::left << std::setw(14) << r.schedule << std::setw(14) << r.status << std::right;
        if (r.ok()) {
            os << std::setw(10) << ms_text(r.time_ms) << std::setw(10)
               << fixed_text(by_flops ? r.gflops : r.gbs, 1) << std::setw(7) << fixed_text(r.pct_peak, 1)
               << "%" << std::setw(10) << ratio_text(r.vs_heuristic) << std::setw(10)
               << ratio_text(r.vs_adams2019);
        } else {
            os << std::setw(10) << "-" << std::setw(10) << "-" << std::setw(8) << "-" << std::setw(10) << "-"
               << std::setw(10) << "-";
        }
        std::string note = r.error;
        if (r.rounds > 1) {
            std::string rounds = "best of " + std::to_string(r.rounds) + " rounds:";
            for (double ms : r.round_ms) rounds += " " + fixed_text(ms, ms < 10 ? 2 : 1);
            note = note.empty() ? rounds : rounds + "; " + note;
        }
        if (!note.empty()) os << "  " << first_line(note, 110);
        os << "\n";
    }
    return os.str();
}

static bool is_autoscheduler(const std::string &schedule) { return plugin_name(schedule) != nullptr; }

const ModelColumn *ModelSummary::column(const std::string &schedule) const {
    for (const ModelColumn &c : columns)
        if (c.schedule == schedule) return &c;
    return nullptr;
}

std::vector<ModelCurvePoint> model_curve(const std::vector<CompareWorkload> &workloads, int64_t *start,
                                         double *end, int *layers_without_best) {
    struct Event {
        int64_t t;
        size_t layer;
        double ms;  // 0 unless ok
    };
    std::vector<Event> events;
    int without = 0;
    for (size_t i = 0; i < workloads.size(); i++) {
        bool any_ok = false;
        for (const HistoryPoint &p : workloads[i].history) {
            const bool ok = p.status == Status::ok && p.min_ms > 0;
            events.push_back({p.timestamp, i, ok ? p.min_ms : 0});
            any_ok |= ok;
        }
        if (!any_ok) without++;
    }
    if (layers_without_best) *layers_without_best = without;
    std::stable_sort(events.begin(), events.end(), [](const Event &a, const Event &b) { return a.t < b.t; });
    if (start) *start = events.empty() ? 0 : events.front().t;
    if (end) *end = events.empty() ? 0 : (double)(events.back().t - events.front().t) / 60.0;
    std::vector<ModelCurvePoint> curve;
    if (without > 0 || events.empty()) return curve;
    std::vector<double> best(workloads.size(), 0);
    size_t have = 0;
    for (size_t e = 0; e < events.size();) {
        const int64_t t = events[e].t;
        for (; e < events.size() && events[e].t == t; e++) {  // every record of the same second
            double &b = best[events[e].layer];
            if (events[e].ms <= 0) continue;
            if (b == 0) have++;
            if (b == 0 || events[e].ms < b) b = events[e].ms;
        }
        if (have < workloads.size()) continue;
        double total = 0;
        for (size_t i = 0; i < workloads.size(); i++) total += workloads[i].count * best[i];
        if (curve.empty() || total != curve.back().ms)
            curve.push_back({(double)(t - events.front().t) / 60.0, total});
    }
    return curve;
}

ModelSummary summarize_model(const CompareReport &rep) {
    ModelSummary m;
    m.name = rep.model.name;
    m.description = rep.model.description;
    m.parameters = rep.model.parameters;
    m.layers = (int)rep.workloads.size();
    for (const CompareWorkload &cw : rep.workloads) m.instances += cw.count;
    // The columns: every row name of any layer, in the order rows first appear.
    for (const CompareWorkload &cw : rep.workloads)
        for (const CompareRow &r : cw.rows)
            if (!m.column(r.schedule)) {
                m.columns.emplace_back();
                m.columns.back().schedule = r.schedule;
            }
    for (ModelColumn &c : m.columns) {
        double total = 0;
        for (const CompareWorkload &cw : rep.workloads) {
            const CompareRow *row = nullptr;
            for (const CompareRow &r : cw.rows)
                if (r.schedule == c.schedule) row = &r;
            if (row && row->ok() && row->time_ms > 0) {
                total += cw.count * row->time_ms;
                continue;
            }
            c.missing++;
            const std::string why = row ? row->status : "no row";
            auto it = std::find_if(c.missing_by.begin(), c.missing_by.end(),
                                   [&](const auto &p) { return p.first == why; });
            if (it == c.missing_by.end())
                c.missing_by.push_back({why, 1});
            else
                it->second++;
        }
        c.total_ms = c.complete() ? total : 0;
    }
    const ModelColumn *heur = m.column("heuristic");
    const double heur_ms = heur && heur->complete() ? heur->total_ms : 0;
    double best_as = 0;
    for (const ModelColumn &c : m.columns)
        if (is_autoscheduler(c.schedule) && c.complete() && c.total_ms > 0 &&
            (best_as == 0 || c.total_ms < best_as)) {
            best_as = c.total_ms;
            m.best_autoscheduler = c.schedule;
        }
    for (ModelColumn &c : m.columns) {
        if (!c.complete() || c.total_ms <= 0) continue;
        if (heur_ms > 0) c.vs_heuristic = heur_ms / c.total_ms;
        if (best_as > 0) c.vs_best_autoscheduler = best_as / c.total_ms;
    }
    for (const char *name : {"tuned", "heuristic"}) {
        const ModelColumn *c = m.column(name);
        if (c && c->complete() && c->total_ms > 0) {
            m.share_column = name;
            break;
        }
    }
    const ModelColumn *share = m.column(m.share_column);
    for (size_t i = 0; i < rep.workloads.size(); i++) {
        const CompareWorkload &cw = rep.workloads[i];
        ModelLayer l;
        l.workload = i;
        l.name = cw.workload;
        l.label = cw.label;
        l.count = cw.count;
        if (share)
            for (const CompareRow &r : cw.rows)
                if (r.schedule == m.share_column) {
                    l.time_ms = r.time_ms;
                    l.share = cw.count * r.time_ms / share->total_ms;
                }
        m.by_share.push_back(l);
    }
    std::stable_sort(m.by_share.begin(), m.by_share.end(),
                     [](const ModelLayer &a, const ModelLayer &b) { return a.share > b.share; });
    m.curve = model_curve(rep.workloads, &m.curve_start, &m.curve_end, &m.layers_without_best);
    return m;
}

namespace {

std::string parameters_text(const ModelSummary &m) {
    std::string out;
    for (const auto &[k, v] : m.parameters) out += (out.empty() ? "" : ", ") + k + "=" + std::to_string(v);
    return out;
}

std::string missing_text(const ModelColumn &c, int layers) {
    std::string out = std::to_string(c.missing) + " of " + std::to_string(layers) + " layers missing";
    for (size_t i = 0; i < c.missing_by.size(); i++)
        out += (i == 0 ? ": " : ", ") + std::to_string(c.missing_by[i].second) + " " + c.missing_by[i].first;
    return out;
}

nlohmann::json ratio_or_null(double r) { return r > 0 ? nlohmann::json(r) : nlohmann::json(nullptr); }

}  // namespace

std::string model_total_text(const ModelColumn &c, int layers) {
    if (c.complete()) return ms_text(c.total_ms);
    return "- (" + missing_text(c, layers) + ")";
}

std::string format_model(const ModelSummary &m) {
    std::ostringstream os;
    os << "model: " << m.name;
    if (!m.parameters.empty()) os << " (" << parameters_text(m) << ")";
    os << ": " << m.layers << " distinct layers, " << count_text(m.instances)
       << " layer instances; end-to-end time = sum over layers of count x time\n";
    os << "  " << std::left << std::setw(14) << "schedule" << std::right << std::setw(12) << "total ms"
       << std::setw(10) << "vs heur" << std::setw(12) << "vs best AS"
       << "  note\n";
    for (const ModelColumn &c : m.columns) {
        os << "  " << std::left << std::setw(14) << c.schedule << std::right;
        std::string note;
        if (c.complete()) {
            os << std::setw(12) << ms_text(c.total_ms) << std::setw(10) << ratio_text(c.vs_heuristic)
               << std::setw(12) << ratio_text(c.vs_best_autoscheduler);
            if (c.schedule == m.best_autoscheduler) note = "best autoscheduler";
        } else {
            os << std::setw(12) << "-" << std::setw(10) << "-" << std::setw(12) << "-";
            note = "incomplete, no total: " + missing_text(c, m.layers);
        }
        if (!note.empty()) os << "  " << note;
        os << "\n";
    }
    if (m.best_autoscheduler.empty())
        os << "  (no autoscheduler column is complete: no 'vs best AS' figures)\n";
    if (m.share_column.empty()) {
        os << "share per layer: none (neither the tuned nor the heuristic column is complete)\n";
    } else {
        const ModelColumn *c = m.column(m.share_column);
        os << "share of the model's " << m.share_column << " total (" << ms_text(c->total_ms)
           << " ms) per layer, largest first"
           << (m.share_column == "heuristic" ? " (the tuned column is incomplete or absent)" : "") << ":\n";
        os << "  " << std::right << std::setw(7) << "share" << std::setw(7) << "count" << std::setw(10)
           << "time ms" << std::setw(12) << "count x ms"
           << "  layer\n";
        for (const ModelLayer &l : m.by_share) {
            os << "  " << std::setw(6) << fixed_text(100 * l.share, 1) << "%" << std::setw(7)
               << count_text(l.count) << std::setw(10) << ms_text(l.time_ms) << std::setw(12)
               << ms_text(l.count * l.time_ms) << "  "
               << (l.label.empty() ? l.name : l.label + "  (" + l.name + ")") << "\n";
        }
    }
    if (!m.curve.empty()) {
        os << "model latency over the tuning (the database's records; minutes since the first): "
           << ms_text(m.curve.front().ms) << " ms at " << fixed_text(m.curve.front().minutes, 1)
           << " min (every layer measured)";
        if (m.curve.size() > 1)
            os << " -> " << ms_text(m.curve.back().ms) << " ms at " << fixed_text(m.curve.back().minutes, 1)
               << " min, " << m.curve.size() << " points";
        os << "; last record at " << fixed_text(m.curve_end, 1) << " min\n";
    } else if (m.layers_without_best > 0)
        os << "model latency over the tuning: no curve (" << m.layers_without_best << " of " << m.layers
           << " layers have no ok record in the database)\n";
    return os.str();
}

nlohmann::json model_json(const ModelSummary &m) {
    nlohmann::json params = nlohmann::json::object();
    for (const auto &[k, v] : m.parameters) params[k] = v;
    nlohmann::json totals = nlohmann::json::array();
    for (const ModelColumn &c : m.columns) {
        nlohmann::json by = nlohmann::json::object();
        for (const auto &[why, n] : c.missing_by) by[why] = n;
        totals.push_back({{"schedule", c.schedule},
                          {"total_ms", c.complete() ? nlohmann::json(c.total_ms) : nlohmann::json(nullptr)},
                          {"missing_layers", c.missing},
                          {"missing_by", by},
                          {"speedup_vs_heuristic", ratio_or_null(c.vs_heuristic)},
                          {"speedup_vs_best_autoscheduler", ratio_or_null(c.vs_best_autoscheduler)}});
    }
    nlohmann::json layers = nlohmann::json::array();
    for (const ModelLayer &l : m.by_share)
        layers.push_back(
            {{"workload", l.name},
             {"label", l.label},
             {"count", l.count},
             {"time_ms", m.share_column.empty() ? nlohmann::json(nullptr) : nlohmann::json(l.time_ms)},
             {"share", m.share_column.empty() ? nlohmann::json(nullptr) : nlohmann::json(l.share)}});
    nlohmann::json curve = nlohmann::json::array();
    for (const ModelCurvePoint &p : m.curve) curve.push_back({{"minutes", p.minutes}, {"ms", p.ms}});
    auto or_null = [](const std::string &s) {
        return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
    };
    return {{"name", m.name},
            {"description", m.description},
            {"parameters", params},
            {"distinct_layers", m.layers},
            {"instances", m.instances},
            {"totals", totals},
            {"best_autoscheduler", or_null(m.best_autoscheduler)},
            {"share_of", or_null(m.share_column)},
            {"layers", layers},
            {"curve_start", m.curve_start},
            {"curve_end_minutes", m.curve_end},
            {"curve", curve},
            {"layers_without_history", m.layers_without_best}};
}

nlohmann::json to_json(const CompareReport &rep) {
    nlohmann::json workloads = nlohmann::json::array();
    for (const CompareWorkload &cw : rep.workloads) {
        nlohmann::json results = nlohmann::json::array();
        for (const CompareRow &r : cw.rows) {
            nlohmann::json j{{"schedule", r.schedule},
                             {"status", r.status},
                             {"time_ms", r.time_ms},
                             {"median_ms", r.median_ms},
                             {"repeats", r.repeats},
                             {"rounds", r.rounds},
                             {"round_ms", r.round_ms},
                             {"compile_s", r.compile_s},
                             {"gflops", r.gflops},
                             {"gbs", r.gbs},
                             {"pct_peak", r.pct_peak},
                             {"speedup_vs_heuristic", r.vs_heuristic},
                             {"speedup_vs_adams2019", r.vs_adams2019},
                             {"error", r.error}};
            results.push_back(j);
        }
        nlohmann::json history = nlohmann::json::array();
        for (const HistoryPoint &p : cw.history)
            history.push_back({{"trial", p.trial},
                               {"min_ms", p.min_ms},
                               {"best_ms", p.best_ms},
                               {"timestamp", p.timestamp}});
        workloads.push_back({{"workload", cw.workload},
                             {"key", cw.key},
                             {"count", cw.count},
                             {"label", cw.label},
                             {"flops", cw.flops},
                             {"min_bytes", cw.bytes},
                             {"results", results},
                             {"history", history}});
    }
    nlohmann::json out{{"machine",
                        {{"device_key", rep.device_key},
                         {"peak_gflops", rep.peaks.peak_gflops},
                         {"bandwidth_gbs", rep.peaks.bandwidth_gbs},
                         {"threads", rep.peaks.threads},
                         {"fma_isa", rep.peaks.fma_isa}}},
                       {"workloads", workloads}};
    if (rep.has_model()) out["model"] = model_json(summarize_model(rep));
    return out;
}

}  // namespace htune
