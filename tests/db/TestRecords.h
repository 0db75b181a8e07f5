// Fake records for the db tests: valid schedules (so `htune import` accepts them) on made-up
// workloads and device types; no measurement is ever run. Plus small file helpers.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "db/Database.h"
#include "schedules/Schedule.h"

namespace htune::test {

// Two device types with the same target (fallback level 2) and one with another target.
inline const std::string kDeviceA = "x86-64-linux-avx-avx2-fma-sse41|Test CPU A|2t";
inline const std::string kDeviceB = "x86-64-linux-avx-avx2-fma-sse41|Test CPU B|8t";
inline const std::string kDeviceArm = "arm-64-linux-arm_dot_prod|Test ARM|4t";

inline std::string fake_workload_key(int w) {
    char hash[17];
    snprintf(hash, sizeof hash, "%016x", 0xabc000 + w);
    return "fake:n=" + std::to_string(w) + "#" + hash;
}

// A valid schedule, distinct for every `variant` (so is its hash).
inline Schedule fake_schedule(int variant) {
    Schedule s;
    FuncSchedule f;
    StageSchedule st;
    st.splits.push_back({"x", {variant + 1}});
    f.stages.push_back(st);
    s.funcs["out"] = f;
    return s;
}

inline Record fake_record(int workload, const std::string &device, int variant, double min_ms,
                          Status status = Status::ok) {
    Record r;
    r.workload_key = fake_workload_key(workload);
    r.workload.op = "fake";
    r.workload.params = {{"n", std::to_string(workload)}};
    r.flops = 1e9;
    r.device_key = device;
    Schedule s = fake_schedule(variant);
    r.schedule = s;
    r.schedule_hash = schedule_hash(s);
    r.result.status = status;
    if (status == Status::ok) {
        r.result.min_ms = min_ms;
        r.result.median_ms = min_ms * 1.1;
        r.result.spread = 0.2;
        r.result.repeats = 10;
    } else {
        r.result.error = "fake failure of variant " + std::to_string(variant);
    }
    r.result.threads = 2;
    r.htune_version = "test";
    r.halide_version = "14.0.0";
    r.feature_schema = "fake/1";
    r.timestamp = 1700000000 + variant;
    return r;
}

inline void write_jsonl(const std::string &path, const std::vector<Record> &records) {
    std::ofstream out(path);
    for (const auto &r : records) out << nlohmann::json(r).dump() << "\n";
}

inline std::string file_bytes(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void write_bytes(const std::string &path, const std::string &bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

// Record count through a fresh connection (what another process would see).
inline int64_t count_records(const std::string &path) { return open_database(path)->count(); }

}  // namespace htune::test
