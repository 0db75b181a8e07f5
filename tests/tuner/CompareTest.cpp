// `htune compare`: rows from one protocol, figures, the table, JSON and HTML
// (units with fakes), and the command end to end (--suite small, a failing
// autoscheduler as a row, bad input).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>

#include "db/Database.h"
#include "db/DeviceKey.h"
#include "measure/OneDnn.h"
#include "ops/HostTarget.h"
#include "ops/OpRegistry.h"
#include "schedules/Space.h"
#include "tests/RunCommand.h"
#include "tests/support/FakeRunner.h"
#include "tuner/Compare.h"
#include "tuner/Report.h"

namespace htune::test {

namespace {

Workload small(const std::string &op) { return make_workload(op, true); }

MachinePeaks fake_peaks() {
    MachinePeaks p;
    p.peak_gflops = 100;
    p.bandwidth_gbs = 10;
    p.threads = 2;
    p.fma_isa = "avx2+fma";
    return p;
}

const CompareRow &row(const CompareWorkload &cw, const std::string &name) {
    for (const CompareRow &r : cw.rows)
        if (r.schedule == name) return r;
    throw std::runtime_error("no row " + name);
}

}  // namespace

TEST(CompareTest, ScheduleListIsValidated) {
    EXPECT_EQ(parse_compare_schedules("adams2019,naive"), (std::vector<std::string>{"adams2019", "naive"}));
    EXPECT_EQ(parse_compare_schedules("onednn,openblas"), (std::vector<std::string>{"onednn", "openblas"}));
    EXPECT_THROW(parse_compare_schedules("naive,halide"), Error);
    try {
        parse_compare_schedules("onednnn");
        ADD_FAILURE() << "a misspelt row name was accepted";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("'onednnn'"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("openblas, onednn)"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse_compare_schedules("naive,naive"), Error);
    EXPECT_THROW(parse_compare_schedules(","), Error);
}

TEST(CompareTest, RowsFiguresAndTunedRecordWithFakeRunner) {
    Workload w = small("matmul");
    auto db = open_database(":memory:");
    std::string device = "x86-64-linux-avx2|fake cpu|2t";
    // A tuned record for this workload and device: its schedule is re-measured,
    // not trusted.
    Schedule tuned = ScheduleSpace(w, parse_target("host")).heuristic();
    MeasureResult stored;
    stored.min_ms = stored.median_ms = 0.5;
    db->commit({make_record(w, device, nlohmann::json(tuned), schedule_hash(tuned), stored)});

    FakeRunner runner;  // schedule candidates only: the other kinds come back as
                        // compile_error
    CompareOptions o;
    o.device_key = device;
    o.plugin_dir = "/nonexistent";
    CompareWorkload cw = compare_workload(runner, w, db.get(), o, fake_peaks());
    // openblas: matmul only; onednn: matmul is one of its ops; as_written: matmul's hand-written
    // schedule (FakeRunner: compile_error).
    ASSERT_EQ(cw.rows.size(), 9u);
    EXPECT_EQ(row(cw, "as_written").status, "compile_error");
    EXPECT_EQ(row(cw, "heuristic").status, "ok");
    EXPECT_EQ(row(cw, "tuned").status, "ok");
    EXPECT_NE(row(cw, "tuned").error.find("exact device"), std::string::npos) << row(cw, "tuned").error;
    EXPECT_EQ(row(cw, "adams2019").status,
              "unavailable");  // no plugin in /nonexistent
    EXPECT_EQ(row(cw, "naive").status,
              "compile_error");  // FakeRunner: schedules only
    // matmul is one of onednn's ops: measured (FakeRunner: compile_error), or unavailable.
    EXPECT_EQ(row(cw, "onednn").status, have_onednn() ? "compile_error" : "unavailable");
    EXPECT_EQ(cw.history.size(), 1u);
    // Figures: flops-based, % of the FMA peak, speedup 1 against itself.
    const CompareRow &h = row(cw, "heuristic");
    EXPECT_NEAR(h.gflops, w.flops() / (h.time_ms * 1e-3) / 1e9, 1e-9);
    EXPECT_NEAR(h.pct_peak, h.gflops, 1e-9);  // peak 100 GFLOP/s
    EXPECT_DOUBLE_EQ(h.vs_heuristic, 1.0);
    EXPECT_EQ(h.vs_adams2019, 0.0);  // adams2019 did not run

    std::string table = format_table(cw);
    EXPECT_NE(table.find("workload: matmul:M=64,N=64,K=64"), std::string::npos) << table;
    EXPECT_NE(table.find("GFLOP/s"), std::string::npos);
    EXPECT_NE(table.find("unavailable"), std::string::npos);

    // Without a database the tuned row says so; a non-matmul workload has no
    // openblas row.
    CompareWorkload blur = compare_workload(runner, small("blur3x3"), nullptr, o, fake_peaks());
    EXPECT_EQ(row(blur, "tuned").status, "no_record");
    for (const CompareRow &r : blur.rows) EXPECT_NE(r.schedule, "openblas");
    // oneDNN does not compute blur3x3: no row, as for openblas (FakeRunner would have made a
    // measured one compile_error).
    for (const CompareRow &r : blur.rows) EXPECT_NE(r.schedule, "onednn");
}

TEST(CompareTest, RoundsKeepEachRowsBestRoundAndSkipFailedRows) {
    Workload w = small("blur3x3");
    // Each measurement of a schedule is slower than the last but one in the middle round, so
    // the best round is not the first.
    int call = 0;
    FakeRunner runner([&](const Workload &wl, const Schedule &s, Fault f) {
        MeasureResult r = fake_measure(wl, s, f);
        int round = call++;
        r.min_ms = r.median_ms = round == 1 ? 1.0 : 2.0 + round;
        return r;
    });
    CompareOptions o;
    o.plugin_dir = "/nonexistent";
    o.schedules = {"naive", "heuristic"};
    o.rounds = 3;
    CompareWorkload cw = compare_workload(runner, w, nullptr, o, fake_peaks());
    // naive fails (FakeRunner measures schedules only) and is measured once; the heuristic
    // in all three rounds, each its own batch.
    EXPECT_EQ(row(cw, "naive").status, "compile_error");
    EXPECT_EQ(row(cw, "naive").rounds, 0);
    const CompareRow &h = row(cw, "heuristic");
    EXPECT_EQ(h.rounds, 3);
    EXPECT_EQ(h.round_ms, (std::vector<double>{2.0, 1.0, 4.0}));
    EXPECT_DOUBLE_EQ(h.time_ms, 1.0);
    EXPECT_EQ(runner.batches().size(), 3u);
    EXPECT_NE(format_table(cw).find("best of 3 rounds: 2.00 1.00 4.00"), std::string::npos)
        << format_table(cw);
    CompareReport rep;
    rep.workloads.push_back(cw);
    nlohmann::json j = to_json(rep);
    EXPECT_EQ(j["workloads"][0]["results"][1]["rounds"], 3);
    EXPECT_EQ(j["workloads"][0]["results"][1]["round_ms"].size(), 3u);
}

TEST(CompareTest, ALaterRoundThatFailsIsNamedInTheRowsNote) {
    // local_laplacian's rows failed after round 1 on the AVX-512 VM and the table only showed
    // the one round: a failed round is now said, with its status and error.
    Workload w = small("blur3x3");
    int call = 0;
    FakeRunner runner([&](const Workload &wl, const Schedule &s, Fault f) {
        MeasureResult r = fake_measure(wl, s, f);
        if (call++ == 2) {
            r.status = Status::timeout;
            r.error = "run took longer than 9.0 s";
        }
        return r;
    });
    CompareOptions o;
    o.plugin_dir = "/nonexistent";
    o.schedules = {"heuristic"};
    o.rounds = 3;
    CompareWorkload cw = compare_workload(runner, w, nullptr, o, fake_peaks());
    const CompareRow &h = row(cw, "heuristic");
    EXPECT_EQ(h.status, "ok");
    EXPECT_EQ(h.rounds, 2);  // rounds 1 and 2
    EXPECT_EQ(h.error, "round 3: timeout: run took longer than 9.0 s");
    std::string table = format_table(cw);
    EXPECT_NE(table.find("best of 2 rounds:"), std::string::npos) << table;
    EXPECT_NE(table.find("round 3: timeout: run took longer than 9.0 s"), std::string::npos) << table;
}

TEST(CompareTest, JsonFollowsTheDocumentedSchema) {
    FakeRunner runner;
    CompareOptions o;
    o.plugin_dir = "/nonexistent";
    CompareReport rep;
    rep.device_key = "k";
    rep.peaks = fake_peaks();
    rep.workloads.push_back(compare_workload(runner, small("matmul"), nullptr, o, rep.peaks));
    nlohmann::json j = to_json(rep);
    ASSERT_TRUE(j["machine"].is_object());
    EXPECT_EQ(j["machine"]["device_key"], "k");
    EXPECT_TRUE(j["machine"]["peak_gflops"].is_number());
    EXPECT_TRUE(j["machine"]["bandwidth_gbs"].is_number());
    ASSERT_EQ(j["workloads"].size(), 1u);
    EXPECT_EQ(j["workloads"][0]["workload"], "matmul:M=64,N=64,K=64");
    std::set<std::string> names(compare_schedule_names().begin(), compare_schedule_names().end());
    for (const auto &r : j["workloads"][0]["results"]) {
        EXPECT_TRUE(names.count(r["schedule"].get<std::string>())) << r;
        EXPECT_TRUE(r["status"].is_string());
        for (const char *k : {"time_ms", "gflops", "gbs"}) EXPECT_TRUE(r[k].is_number()) << k << r;
        EXPECT_TRUE(r["error"].is_string());
    }
}

TEST(CompareTest, BadInputIsOneErrorLineAndExit2) {
    for (std::string args :
         {"compare", "compare --op nosuchop", "compare --op matmul --test-size --schedules naive,halide",
          "compare --op matmul --test-size --naive-limit 0", "compare --suite huge",
          "compare --op matmul --test-size --rounds 0",
          "compare --op matmul --test-size --json /nonexistent-dir/x.json "
          "--schedules heuristic"}) {
        CommandResult r = run_htune(args);
        EXPECT_NE(r.exit_code, 0) << args;
        if (args.find("/nonexistent-dir") == std::string::npos) {
            EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
        }
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << "\n" << r.err;
        EXPECT_EQ(r.err.rfind("htune: error: ", 0), 0u) << r.err;
    }
}

// A plugin that cannot be loaded (here: not a shared library at all) fails only
// its own row.
TEST(CompareTest, FailingAutoschedulerIsARowNotACrash) {
    std::string dir = temp_dir();
    run_shell("cp " HTUNE_TEST_DATA "/not_a_library.so " + dir + "/libautoschedule_adams2019.so");
    CommandResult r = run_htune(
        "compare --op matmul --test-size --schedules "
        "heuristic,adams2019 --min-repeats 2 "
        "--min-seconds 0 --db " +
        dir + "/none.db.missing-is-ok --plugin-dir " + dir + " --json " + dir + "/c.json");
    // --db given explicitly but missing: refused. Without --db (default file
    // absent) it runs.
    EXPECT_NE(r.exit_code, 0);
    r = run_shell("cd " + dir +
                  " && " HTUNE_BINARY
                  " compare --op matmul --test-size --schedules heuristic,adams2019 "
                  "--min-repeats 2 --min-seconds 0 --plugin-dir " +
                  dir + " --json c.json");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto j = nlohmann::json::parse(read_file(dir + "/c.json"));
    auto results = j["workloads"][0]["results"];
    ASSERT_EQ(results.size(), 2u) << j;
    EXPECT_EQ(results[0]["status"], "ok") << results[0];
    EXPECT_EQ(results[1]["schedule"], "adams2019");
    EXPECT_EQ(results[1]["status"], "compile_error") << results[1];
    EXPECT_FALSE(results[1]["error"].get<std::string>().empty());
    EXPECT_NE(r.out.find("compile_error"), std::string::npos) << r.out;
    // Where the report came from, for docs/BENCHMARKS.md: the command as typed, a UTC date and
    // the commit htune was built from.
    EXPECT_EQ(j["run"]["command"],
              "htune compare --op matmul --test-size --schedules heuristic,adams2019 --min-repeats 2 "
              "--min-seconds 0 --plugin-dir " +
                  dir + " --json c.json");
    EXPECT_TRUE(std::regex_match(j["run"]["date"].get<std::string>(),
                                 std::regex("20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-9:]{8}Z")))
        << j["run"];
    EXPECT_FALSE(j["run"]["commit"].get<std::string>().empty());
    run_shell("rm -rf " + dir);
}

// The whole command on the small suite: every built-in operator, every row, the
// tuned row from a database filled by `htune sample`, JSON and an HTML page
// that Chromium renders.
TEST(CompareTest, SuiteSmallEndToEndWithJsonAndHtml) {
    std::string dir = temp_dir();
    CommandResult s = run_htune(
        "sample --op blur3x3 --test-size --count 3 "
        "--seed 1 --min-seconds 0 --min-repeats 2 "
        "--db " +
        dir + "/t.db");
    ASSERT_EQ(s.exit_code, 0) << s.err;
    // HL_BEAM_SIZE=1: Adams2019's greedy search, to keep the test short (the
    // default beam search is what the README's figures use).
    CommandResult r = run_shell("HL_BEAM_SIZE=1 " HTUNE_BINARY " compare --suite small --db " + dir +
                                "/t.db --json " + dir + "/c.json --html " + dir +
                                "/c.html --warmup 0 --min-repeats 2 --min-seconds 0 --naive-limit 5");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("peak: "), std::string::npos) << r.out;
    auto j = nlohmann::json::parse(read_file(dir + "/c.json"));
    EXPECT_GT(j["machine"]["peak_gflops"].get<double>(), 0);
    EXPECT_GT(j["machine"]["bandwidth_gbs"].get<double>(), 0);
    EXPECT_EQ(j["machine"]["device_key"].get<std::string>(), host_device().key());
    EXPECT_EQ(j["workloads"].size(), builtin_ops().size());
    bool saw_openblas = false, saw_tuned = false;
    size_t onednn_ok = 0;
    for (const auto &w : j["workloads"]) {
        std::map<std::string, nlohmann::json> rows;
        for (const auto &x : w["results"]) rows[x["schedule"]] = x;
        EXPECT_EQ(rows["heuristic"]["status"], "ok") << w;
        EXPECT_GT(rows["heuristic"]["time_ms"].get<double>(), 0) << w;
        for (const char *n : {"naive", "mullapudi2016", "li2018", "adams2019", "tuned"})
            EXPECT_TRUE(rows.count(n)) << n << " missing in " << w["workload"];
        // Where Halide's plugins are installed (libhalide14-0-dev ships them; ./test.sh
        // installs it), the two autoschedulers htune seeds from must schedule every built-in:
        // a row that silently turned into an error would make every "vs best autoscheduler"
        // figure meaningless. Without the plugin the row says so. One known exception:
        // Adams2019's greedy (beam 1) schedule of max_filter at its test size gives values
        // ~1e36 where the reference has 0.99 (uninitialized memory), on the same bounds-checked
        // buffers on which every other row is ok: as far as we can tell a Halide 14 miscompile
        // of that schedule (not yet reduced to a standalone case). Its row must say
        // wrong_output, never ok.
        for (const char *n : {"mullapudi2016", "adams2019"}) {
            if (!rows.count(n)) continue;
            const bool installed = std::ifstream(plugin_path(HTUNE_HALIDE_PLUGIN_DIR, n)).good();
            const std::string wl = w["workload"];
            const bool known_wrong = n == std::string("adams2019") && wl.rfind("max_filter:", 0) == 0;
            const char *expected = !installed ? "unavailable" : known_wrong ? "wrong_output" : "ok";
            EXPECT_EQ(rows[n]["status"], expected) << n << " on " << wl << ": " << rows[n];
            if (installed && !known_wrong)
                EXPECT_GT(rows[n]["time_ms"].get<double>(), 0) << n << " on " << wl;
        }
        std::string name = w["workload"];
        if (name.rfind("matmul:", 0) == 0) {
            ASSERT_TRUE(rows.count("openblas"));
            saw_openblas = true;
            if (have_openblas())  // built with libopenblas-dev (./test.sh installs it)
                EXPECT_EQ(rows["openblas"]["status"], "ok") << rows["openblas"];
            else
                EXPECT_EQ(rows["openblas"]["status"], "unavailable") << rows["openblas"];
        }
        // The onednn row (in the default --schedules): measured on the ops oneDNN computes,
        // absent on the others.
        const std::string op = name.substr(0, name.find(':'));
        const auto &ops = onednn_ops();
        if (std::find(ops.begin(), ops.end(), op) == ops.end()) {
            EXPECT_FALSE(rows.count("onednn")) << name;
        } else if (have_onednn()) {  // built with libdnnl-dev (./test.sh installs it)
            EXPECT_EQ(rows["onednn"]["status"], "ok") << name << ": " << rows["onednn"];
            EXPECT_GT(rows["onednn"]["time_ms"].get<double>(), 0) << name;
            onednn_ok++;
        } else {
            EXPECT_EQ(rows["onednn"]["status"], "unavailable") << rows["onednn"];
        }
        if (name.rfind("blur3x3:", 0) == 0) {
            EXPECT_EQ(rows["tuned"]["status"], "ok") << rows["tuned"];
            EXPECT_GE(w["history"].size(), 3u);
            saw_tuned = true;
        } else {
            EXPECT_EQ(rows["tuned"]["status"], "no_record");
        }
    }
    EXPECT_TRUE(saw_openblas);
    EXPECT_TRUE(saw_tuned);
    EXPECT_EQ(onednn_ok, have_onednn() ? onednn_ops().size() : 0u);

    // Chromium renders the page: every chart (one bar chart per workload +
    // blur3x3's tuning curve) has a non-empty box and non-empty bars/lines.
    std::string html = read_file(dir + "/c.html");
    EXPECT_EQ(html.find("http://") != std::string::npos && html.find("src=\"http") != std::string::npos,
              false);
    CommandResult c = run_shell(
        "command -v chromium >/dev/null && timeout 120 "
        "chromium --headless --no-sandbox "
        "--disable-gpu --dump-dom file://" +
        dir + "/c.html");
    ASSERT_EQ(c.exit_code, 0) << "chromium missing or failed (./test.sh installs it): "
                              << c.err.substr(0, 500);
    size_t expected = builtin_ops().size() + 1;
    std::string marker =
        "data-rendered=\"charts=" + std::to_string(expected) + " nonzero=" + std::to_string(expected) + "\"";
    EXPECT_NE(c.out.find(marker), std::string::npos) << marker << "\n" << c.out.substr(0, 400);
    run_shell("rm -rf " + dir);
}

}  // namespace htune::test
