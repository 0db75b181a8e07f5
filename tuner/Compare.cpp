// `htune compare` rows, figures, table and JSON (see Compare.h).
#include "tuner/Compare.h"

#include <unistd.h>

#include <cstdio>
#include <iomanip>
#include <sstream>

#include "measure/OneDnn.h"
#include "ops/Error.h"
#include "ops/HostTarget.h"
#include "schedules/Schedule.h"
#include "schedules/Space.h"

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

std::string fixed(double x, int digits) {
    std::ostringstream os;
    os << std::fixed << std::setprecision(digits) << x;
    return os.str();
}

// Three significant digits without exponent for times: 0.0123, 1.23, 123,
// 12345.
std::string ms_text(double ms) {
    if (ms <= 0) return "-";
    if (ms < 0.01) return fixed(ms, 4);
    if (ms < 1) return fixed(ms, 3);
    if (ms < 100) return fixed(ms, 2);
    return fixed(ms, 0);
}

std::string ratio_text(double r) { return r > 0 ? fixed(r, r < 10 ? 2 : 1) + "x" : "-"; }

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
                         "estimated " + fixed(estimate, 1) + " s for " + std::to_string(o.timed_runs) +
                             " runs (one reference run takes " + fixed(ref_s, 2) + " s) > --naive-limit " +
                             fixed(o.naive_limit_s, 1) + " s");
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
                                     ? "slower than --naive-limit " + fixed(o.naive_limit_s, 1) + " s: "
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
    return "peak: " + fixed(p.peak_gflops, 1) + " GFLOP/s fp32 FMA (" + p.fma_isa + ", " +
           std::to_string(p.threads) + " threads), " + fixed(p.bandwidth_gbs, 1) + " GB/s memory bandwidth";
}

std::string format_table(const CompareWorkload &cw) {
    std::ostringstream os;
    const bool by_flops = cw.flops > 0;
    os << "workload: " << cw.workload;
    if (by_flops)
        os << "  (" << fixed(cw.flops / 1e9, 3) << " GFLOP";
    else
        os << "  (no flop count";
    os << ", " << fixed(cw.bytes / 1e6, 1) << " MB min traffic; % of "
       << (by_flops ? "FMA peak" : "bandwidth") << ")\n";
    os << "  " << std::left << std::setw(14) << "schedule" << std::setw(14) << "status" << std::right
       << std::setw(10) << "time ms" << std::setw(10) << (by_flops ? "GFLOP/s" : "GB/s") << std::setw(8)
       << "% peak" << std::setw(10) << "vs heur" << std::setw(10) << "vs adams"
       << "  note\n";
    for (const CompareRow &r : cw.rows) {
        os << "  " << std::left << std::setw(14) << r.schedule << std::setw(14) << r.status << std::right;
        if (r.ok()) {
            os << std::setw(10) << ms_text(r.time_ms) << std::setw(10)
               << fixed(by_flops ? r.gflops : r.gbs, 1) << std::setw(7) << fixed(r.pct_peak, 1) << "%"
               << std::setw(10) << ratio_text(r.vs_heuristic) << std::setw(10) << ratio_text(r.vs_adams2019);
        } else {
            os << std::setw(10) << "-" << std::setw(10) << "-" << std::setw(8) << "-" << std::setw(10) << "-"
               << std::setw(10) << "-";
        }
        std::string note = r.error;
        if (r.rounds > 1) {
            std::string rounds = "best of " + std::to_string(r.rounds) + " rounds:";
            for (double ms : r.round_ms) rounds += " " + fixed(ms, ms < 10 ? 2 : 1);
            note = note.empty() ? rounds : rounds + "; " + note;
        }
        if (!note.empty()) os << "  " << first_line(note, 110);
        os << "\n";
    }
    return os.str();
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
            history.push_back({{"trial", p.trial}, {"min_ms", p.min_ms}, {"best_ms", p.best_ms}});
        workloads.push_back({{"workload", cw.workload},
                             {"key", cw.key},
                             {"flops", cw.flops},
                             {"min_bytes", cw.bytes},
                             {"results", results},
                             {"history", history}});
    }
    return {{"machine",
             {{"device_key", rep.device_key},
              {"peak_gflops", rep.peaks.peak_gflops},
              {"bandwidth_gbs", rep.peaks.bandwidth_gbs},
              {"threads", rep.peaks.threads},
              {"fma_isa", rep.peaks.fma_isa}}},
            {"workloads", workloads}};
}

}  // namespace htune
