// `htune compare` on a model (issue 27, items 4 and 5): the end-to-end totals (sum of count x
// time per column, incomplete columns without a total), the speedups, the per-layer share, the
// JSON "model" object, the model-latency curve from the database's timestamps, the HTML page, and
// the command on a tiny model file.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "db/Database.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Space.h"
#include "tests/RunCommand.h"
#include "tests/support/FakeRunner.h"
#include "tuner/Compare.h"
#include "tuner/Report.h"

namespace htune::test {

namespace {

CompareRow ok_row(const std::string &schedule, double ms) {
    CompareRow r;
    r.schedule = schedule;
    r.status = "ok";
    r.time_ms = ms;
    return r;
}

CompareRow failed_row(const std::string &schedule, const std::string &status) {
    CompareRow r;
    r.schedule = schedule;
    r.status = status;
    return r;
}

CompareWorkload layer(const std::string &name, const std::string &label, double count,
                      std::vector<CompareRow> rows) {
    CompareWorkload cw;
    cw.workload = name;
    cw.key = name + "#0";
    cw.label = label;
    cw.count = count;
    cw.rows = std::move(rows);
    return cw;
}

// Three layers; heuristic, adams2019, mullapudi2016 and tuned everywhere; onednn on two layers
// (measured on one, unavailable on the other) and absent on the third.
CompareReport three_layers() {
    CompareReport rep;
    rep.device_key = "dev";
    rep.model.is_model = true;
    rep.model.name = "tiny";
    rep.model.parameters = {{"batch", 1}, {"seq", 16}};
    rep.workloads.push_back(layer("fc:N=16", "q, k, v, out", 4,
                                  {ok_row("heuristic", 2.0), ok_row("mullapudi2016", 3.0),
                                   ok_row("adams2019", 1.5), ok_row("tuned", 1.0), ok_row("onednn", 0.5)}));
    rep.workloads.push_back(layer("attention:S=16", "attention.self", 1,
                                  {ok_row("heuristic", 6.0), ok_row("mullapudi2016", 4.0),
                                   ok_row("adams2019", 5.0), ok_row("tuned", 3.0)}));
    rep.workloads.push_back(layer(
        "layernorm:rows=16", "ln1, ln2", 2,
        {ok_row("heuristic", 1.0), ok_row("mullapudi2016", 1.0), failed_row("adams2019", "wrong_output"),
         ok_row("tuned", 0.5), failed_row("onednn", "unavailable")}));
    return rep;
}

const ModelColumn &col(const ModelSummary &m, const std::string &name) {
    const ModelColumn *c = m.column(name);
    if (!c) throw std::runtime_error("no column " + name);
    return *c;
}

}  // namespace

TEST(CompareModelTest, TotalsAreTheSumOfCountTimesTimeAndIncompleteColumnsHaveNone) {
    ModelSummary m = summarize_model(three_layers());
    EXPECT_EQ(m.name, "tiny");
    EXPECT_EQ(m.layers, 3);
    EXPECT_DOUBLE_EQ(m.instances, 7);
    std::vector<std::string> names;
    for (const ModelColumn &c : m.columns) names.push_back(c.schedule);
    EXPECT_EQ(names,
              (std::vector<std::string>{"heuristic", "mullapudi2016", "adams2019", "tuned", "onednn"}));
    // sum of count x time
    EXPECT_DOUBLE_EQ(col(m, "heuristic").total_ms, 4 * 2.0 + 1 * 6.0 + 2 * 1.0);      // 16
    EXPECT_DOUBLE_EQ(col(m, "mullapudi2016").total_ms, 4 * 3.0 + 1 * 4.0 + 2 * 1.0);  // 18
    EXPECT_DOUBLE_EQ(col(m, "tuned").total_ms, 4 * 1.0 + 1 * 3.0 + 2 * 0.5);          // 8
    // adams2019 failed on one layer: incomplete, no total, and not the best autoscheduler even
    // though its partial sum (11) is lower than mullapudi2016's total.
    const ModelColumn &adams = col(m, "adams2019");
    EXPECT_FALSE(adams.complete());
    EXPECT_EQ(adams.missing, 1);
    EXPECT_EQ(adams.total_ms, 0);
    EXPECT_EQ(adams.vs_heuristic, 0);
    EXPECT_EQ(m.best_autoscheduler, "mullapudi2016");
    // onednn: one layer unavailable, one without a row at all.
    const ModelColumn &dnn = col(m, "onednn");
    EXPECT_EQ(dnn.missing, 2);
    EXPECT_EQ(dnn.missing_by, (std::vector<std::pair<std::string, int>>{{"no row", 1}, {"unavailable", 1}}));
    EXPECT_EQ(model_total_text(dnn, m.layers), "- (2 of 3 layers missing: 1 no row, 1 unavailable)");
    EXPECT_EQ(model_total_text(adams, m.layers), "- (1 of 3 layers missing: 1 wrong_output)");
    EXPECT_EQ(model_total_text(col(m, "tuned"), m.layers), "8.00");
    // speedups of totals
    EXPECT_DOUBLE_EQ(col(m, "tuned").vs_heuristic, 16.0 / 8.0);
    EXPECT_DOUBLE_EQ(col(m, "tuned").vs_best_autoscheduler, 18.0 / 8.0);
    EXPECT_DOUBLE_EQ(col(m, "heuristic").vs_best_autoscheduler, 18.0 / 16.0);
    EXPECT_DOUBLE_EQ(col(m, "mullapudi2016").vs_best_autoscheduler, 1.0);
    // share of the tuned total, largest first: fc 4/8, attention 3/8, layernorm 1/8
    EXPECT_EQ(m.share_column, "tuned");
    ASSERT_EQ(m.by_share.size(), 3u);
    EXPECT_EQ(m.by_share[0].label, "q, k, v, out");
    EXPECT_DOUBLE_EQ(m.by_share[0].share, 0.5);
    EXPECT_DOUBLE_EQ(m.by_share[0].count, 4);
    EXPECT_EQ(m.by_share[1].label, "attention.self");
    EXPECT_DOUBLE_EQ(m.by_share[1].share, 3.0 / 8);
    EXPECT_EQ(m.by_share[2].label, "ln1, ln2");
    EXPECT_DOUBLE_EQ(m.by_share[2].share, 1.0 / 8);

    std::string text = format_model(m);
    EXPECT_NE(text.find("model: tiny (batch=1, seq=16): 3 distinct layers, 7 layer instances"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("incomplete, no total: 2 of 3 layers missing: 1 no row, 1 unavailable"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("share of the model's tuned total (8.00 ms)"), std::string::npos) << text;
    EXPECT_NE(text.find("best autoscheduler"), std::string::npos) << text;
    EXPECT_LT(text.find("q, k, v, out"), text.find("attention.self")) << text;
}

TEST(CompareModelTest, ShareFallsBackToHeuristicWhenTunedIsIncomplete) {
    CompareReport rep = three_layers();
    rep.workloads[1].rows[3] = failed_row("tuned", "no_record");
    ModelSummary m = summarize_model(rep);
    EXPECT_FALSE(col(m, "tuned").complete());
    EXPECT_EQ(m.share_column, "heuristic");
    EXPECT_EQ(m.by_share[0].label, "q, k, v, out");  // 4 x 2 of 16
    EXPECT_DOUBLE_EQ(m.by_share[0].share, 8.0 / 16);
    EXPECT_EQ(m.by_share[1].label, "attention.self");  // 6 of 16
    EXPECT_DOUBLE_EQ(m.by_share[1].share, 6.0 / 16);
    EXPECT_EQ(m.by_share[1].time_ms, 6.0);
    EXPECT_NE(format_model(m).find("share of the model's heuristic total (16.00 ms) per layer, largest first "
                                   "(the tuned column is incomplete or absent)"),
              std::string::npos)
        << format_model(m);
    // Neither complete: no share at all, said so.
    rep.workloads[0].rows[0] = failed_row("heuristic", "crash");
    m = summarize_model(rep);
    EXPECT_EQ(m.share_column, "");
    for (const ModelLayer &l : m.by_share) EXPECT_EQ(l.share, 0);
    EXPECT_NE(format_model(m).find("share per layer: none"), std::string::npos) << format_model(m);
}

TEST(CompareModelTest, JsonHasTheModelObjectAndCountAndLabelPerWorkload) {
    CompareReport rep = three_layers();
    nlohmann::json j = to_json(rep);
    ASSERT_TRUE(j.contains("model")) << j.dump(1);
    const nlohmann::json &m = j["model"];
    EXPECT_EQ(m["name"], "tiny");
    EXPECT_EQ(m["parameters"], (nlohmann::json{{"batch", 1}, {"seq", 16}}));
    EXPECT_EQ(m["distinct_layers"], 3);
    EXPECT_EQ(m["instances"], 7.0);
    std::map<std::string, nlohmann::json> totals;
    for (const auto &t : m["totals"]) totals[t["schedule"]] = t;
    EXPECT_EQ(totals["heuristic"]["total_ms"], 16.0);
    EXPECT_EQ(totals["heuristic"]["missing_layers"], 0);
    EXPECT_EQ(totals["tuned"]["total_ms"], 8.0);
    EXPECT_EQ(totals["tuned"]["speedup_vs_heuristic"], 2.0);
    EXPECT_TRUE(totals["adams2019"]["total_ms"].is_null()) << totals["adams2019"];
    EXPECT_EQ(totals["adams2019"]["missing_layers"], 1);
    EXPECT_TRUE(totals["adams2019"]["speedup_vs_heuristic"].is_null());
    EXPECT_TRUE(totals["onednn"]["total_ms"].is_null());
    EXPECT_EQ(totals["onednn"]["missing_layers"], 2);
    EXPECT_EQ(totals["onednn"]["missing_by"], (nlohmann::json{{"no row", 1}, {"unavailable", 1}}));
    EXPECT_EQ(m["best_autoscheduler"], "mullapudi2016");
    EXPECT_EQ(m["share_of"], "tuned");
    ASSERT_EQ(m["layers"].size(), 3u);
    EXPECT_EQ(m["layers"][0]["label"], "q, k, v, out");
    EXPECT_EQ(m["layers"][0]["count"], 4.0);
    EXPECT_EQ(m["layers"][0]["share"], 0.5);
    EXPECT_EQ(m["layers"][0]["workload"], "fc:N=16");
    // Every workload entry: count and label, beside the fields it always had.
    EXPECT_EQ(j["workloads"][2]["count"], 2.0);
    EXPECT_EQ(j["workloads"][2]["label"], "ln1, ln2");
    EXPECT_TRUE(j["workloads"][2].contains("results"));
    // Without a model: no "model" object, and no model table in the page.
    rep.model = ModelInfo();
    EXPECT_FALSE(to_json(rep).contains("model"));
    EXPECT_EQ(render_html(rep).find("class=\"model\""), std::string::npos);
}

// The curve from a real database: records of two layers at known timestamps (committed out of
// time order), read back by compare_workload through Database::history.
TEST(CompareModelTest, ModelCurveFollowsTheRecordsTimestamps) {
    auto db = open_database(":memory:");
    const std::string device = "x86-64-linux-avx2|fake cpu|2t";
    Workload a = make_workload("blur3x3", true), b = make_workload("matmul", true);
    const int64_t t0 = 1700000000;
    int variant = 0;
    auto rec = [&](const Workload &w, int64_t t, double ms, Status st = Status::ok) {
        Schedule s = ScheduleSpace(w, parse_target("host")).heuristic();
        MeasureResult r;
        r.status = st;
        r.min_ms = r.median_ms = ms;
        char hash[17];
        std::snprintf(hash, sizeof hash, "%016x", ++variant);
        Record out = make_record(w, device, nlohmann::json(s), hash, r);
        out.timestamp = t;
        return out;
    };
    // a (count 2): 4 ms at 0 s, 3 ms at 60 s, 1 ms at 180 s.
    // b (count 1): a crash at 30 s, 4 ms at 240 s committed BEFORE 5 ms at 120 s.
    db->commit({rec(a, t0, 4.0), rec(b, t0 + 30, 0, Status::crash)});
    db->commit({rec(a, t0 + 60, 3.0), rec(b, t0 + 240, 4.0)});
    db->commit({rec(b, t0 + 120, 5.0), rec(a, t0 + 180, 1.0)});

    FakeRunner runner;
    CompareOptions o;
    o.device_key = device;
    o.plugin_dir = "/nonexistent";
    o.schedules = {"heuristic", "tuned"};
    CompareReport rep;
    rep.model.is_model = true;
    rep.model.name = "two";
    rep.workloads.push_back(compare_workload(runner, a, db.get(), o, MachinePeaks()));
    rep.workloads.back().count = 2;
    rep.workloads.push_back(compare_workload(runner, b, db.get(), o, MachinePeaks()));
    ASSERT_EQ(rep.workloads[1].history.size(), 3u);
    EXPECT_EQ(rep.workloads[1].history[1].timestamp, t0 + 240);  // commit order kept

    ModelSummary m = summarize_model(rep);
    EXPECT_EQ(m.curve_start, t0);
    EXPECT_DOUBLE_EQ(m.curve_end, 4.0);
    EXPECT_EQ(m.layers_without_best, 0);
    // From 120 s (every layer has a best): 2x3 + 5 = 11; 180 s: 2x1 + 5 = 7; 240 s: 2x1 + 4 = 6.
    ASSERT_EQ(m.curve.size(), 3u);
    EXPECT_DOUBLE_EQ(m.curve[0].minutes, 2.0);
    EXPECT_DOUBLE_EQ(m.curve[0].ms, 11.0);
    EXPECT_DOUBLE_EQ(m.curve[1].minutes, 3.0);
    EXPECT_DOUBLE_EQ(m.curve[1].ms, 7.0);
    EXPECT_DOUBLE_EQ(m.curve[2].minutes, 4.0);
    EXPECT_DOUBLE_EQ(m.curve[2].ms, 6.0);
    nlohmann::json j = to_json(rep);
    EXPECT_EQ(j["model"]["curve"].size(), 3u);
    EXPECT_EQ(j["model"]["curve"][0], (nlohmann::json{{"minutes", 2.0}, {"ms", 11.0}}));
    EXPECT_EQ(j["model"]["curve_start"], t0);
    EXPECT_EQ(j["workloads"][0]["history"][1]["timestamp"], t0 + 60);
    EXPECT_NE(
        format_model(m).find("11.00 ms at 2.0 min (every layer measured) -> 6.00 ms at 4.0 min, 3 points; "
                             "last record at 4.0 min"),
        std::string::npos)
        << format_model(m);

    // A layer with no ok record: no curve, and the reason.
    rep.workloads.push_back(
        compare_workload(runner, make_workload("harris", true), db.get(), o, MachinePeaks()));
    m = summarize_model(rep);
    EXPECT_TRUE(m.curve.empty());
    EXPECT_EQ(m.layers_without_best, 1);
    EXPECT_NE(format_model(m).find("no curve (1 of 3 layers have no ok record in the database)"),
              std::string::npos)
        << format_model(m);
}

TEST(CompareModelTest, HtmlHasTheModelTableShareAndCurve) {
    CompareReport rep = three_layers();
    CompareWorkload &fc = rep.workloads[0], &att = rep.workloads[1], &ln = rep.workloads[2];
    for (CompareWorkload *cw : {&fc, &att, &ln}) {
        HistoryPoint p;
        p.trial = 1;
        p.min_ms = p.best_ms = 2;
        p.timestamp = 1700000000 + 60 * (cw == &ln);
        cw->history.push_back(p);
    }
    std::string html = render_html(rep);
    EXPECT_NE(html.find("<h2>Model: tiny (batch=1, seq=16)</h2>"), std::string::npos);
    EXPECT_NE(html.find("<table class=\"model\">"), std::string::npos);
    EXPECT_NE(html.find("<td>tuned</td><td>8</td><td>2x</td>"), std::string::npos) << html;
    EXPECT_NE(html.find("- (2 of 3 layers missing: 1 no row, 1 unavailable)"), std::string::npos);
    EXPECT_NE(html.find("class=\"chart bars share\""), std::string::npos);
    EXPECT_NE(html.find("50.0% (4 x 1 ms)"), std::string::npos) << html;
    EXPECT_NE(html.find("class=\"chart curve model-curve\""), std::string::npos);
    EXPECT_NE(html.find("<p class=\"layer\">Layer: q, k, v, out; count 4</p>"), std::string::npos);
    // The model section comes before the per-layer sections.
    EXPECT_LT(html.find("<table class=\"model\">"), html.find("<section class=\"workload\">"));
}

// The command on a tiny model file: count and label from the file, the model table after the
// per-layer tables, and the JSON model object (real measurement, tiny shapes).
TEST(CompareModelTest, CommandOnATinyModelFile) {
    std::string dir = temp_dir();
    std::ofstream(dir + "/tiny.json") << R"({"model": "tiny", "parameters": {"batch": 1},
      "layers": [
        {"name": "res1", "op": "add", "params": {"N": "batch", "C": 8, "W": 16, "H": 1, "act": "none"}, "count": 2},
        {"name": "res2", "op": "add", "params": {"N": "batch", "C": 8, "W": 16, "H": 1, "act": "none"}, "count": 1},
        {"name": "ln", "op": "layernorm", "params": {"rows": "batch*4", "cols": 64}, "count": 3}]})";
    // No --db: the default database is absent there, so the tuned column is no_record.
    CommandResult r =
        run_shell("cd " + dir + " && " HTUNE_BINARY " compare --workloads tiny.json --model-param batch=2 " +
                  "--schedules heuristic,tuned --warmup 0 --min-repeats 2 --min-seconds 0 --json c.json " +
                  "--html c.html");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("  layer: res1, res2  count 3\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("model: tiny (batch=2): 2 distinct layers, 6 layer instances"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("incomplete, no total: 2 of 2 layers missing: 2 no_record"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("(the tuned column is incomplete or absent)"), std::string::npos) << r.out;
    auto j = nlohmann::json::parse(read_file(dir + "/c.json"));
    ASSERT_EQ(j["workloads"].size(), 2u);
    EXPECT_EQ(j["workloads"][0]["count"], 3.0);
    EXPECT_EQ(j["workloads"][0]["label"], "res1, res2");
    EXPECT_EQ(j["workloads"][0]["workload"], "add:N=2,C=8,W=16,H=1,act=none");
    const nlohmann::json &m = j["model"];
    EXPECT_EQ(m["name"], "tiny");
    EXPECT_EQ(m["parameters"]["batch"], 2);
    double expected = 0;
    for (const auto &w : j["workloads"])
        for (const auto &row : w["results"])
            if (row["schedule"] == "heuristic")
                expected += w["count"].get<double>() * row["time_ms"].get<double>();
    ASSERT_EQ(m["totals"][0]["schedule"], "heuristic");
    EXPECT_DOUBLE_EQ(m["totals"][0]["total_ms"].get<double>(), expected);
    EXPECT_TRUE(m["totals"][1]["total_ms"].is_null());
    EXPECT_EQ(m["totals"][1]["missing_layers"], 2);
    EXPECT_EQ(m["share_of"], "heuristic");
    EXPECT_NE(read_file(dir + "/c.html").find("<table class=\"model\">"), std::string::npos);
    run_shell("rm -rf " + dir);
}

}  // namespace htune::test
