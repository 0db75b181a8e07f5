// Record JSON (the JSONL line format) and its validation; see Record.h.
#include "db/Record.h"

#include <chrono>
#include <cmath>

#include "db/DeviceKey.h"
#include "db/Version.h"
#include "ops/Error.h"

namespace htune {

using nlohmann::json;

bool Record::operator==(const Record &o) const {
    return id == o.id && workload_key == o.workload_key && workload == o.workload && flops == o.flops &&
           device_key == o.device_key && schedule == o.schedule && schedule_hash == o.schedule_hash &&
           result == o.result && htune_version == o.htune_version && halide_version == o.halide_version &&
           feature_schema == o.feature_schema && timestamp == o.timestamp && run_id == o.run_id &&
           provenance == o.provenance;
}

const char *to_string(Provenance p) { return p == Provenance::imported ? "imported" : "measured"; }

Provenance provenance_from_string(const std::string &s) {
    if (s == "measured") return Provenance::measured;
    if (s == "imported") return Provenance::imported;
    throw_usage("unknown record provenance '" + s + "' (measured or imported)");
}

Trust trust_of(const Record &r) {
    if (r.provenance == Provenance::imported) return Trust::imported;
    return r.htune_version == htune_version() && r.halide_version == halide_version() ? Trust::current
                                                                                      : Trust::stale;
}

const char *to_string(Trust t) {
    switch (t) {
        case Trust::current:
            return "measured here";
        case Trust::stale:
            return "stale";
        case Trust::imported:
            return "imported";
    }
    return "imported";
}

std::string describe_trust(const Record &r) {
    std::string versions = "htune " + r.htune_version + ", Halide " + r.halide_version;
    switch (trust_of(r)) {
        case Trust::current:
            return "measured here (" + versions + ")";
        case Trust::stale:
            return "stale: measured here with " + versions + " (this is htune " + htune_version() +
                   ", Halide " + halide_version() + ")";
        case Trust::imported:
            return "imported (" + versions + "; not measured on this machine)";
    }
    return "";
}

void to_json(json &j, const Record &r) {
    j = json{
        {"format", kRecordFormat},
        {"workload", {{"key", r.workload_key}, {"spec", r.workload}, {"flops", r.flops}}},
        {"device_key", r.device_key},
        {"schedule", r.schedule},
        {"schedule_hash", r.schedule_hash},
        {"result", r.result},
        {"versions",
         {{"htune", r.htune_version}, {"halide", r.halide_version}, {"feature_schema", r.feature_schema}}},
        {"timestamp", r.timestamp}};
}

namespace {

const json &field(const json &j, const char *name, json::value_t type, const char *type_name) {
    auto it = j.find(name);
    if (it == j.end()) throw_usage(std::string("missing field '") + name + "'");
    bool ok = it->type() == type || (type == json::value_t::number_float && it->is_number()) ||
              (type == json::value_t::number_integer && it->is_number_integer());
    if (!ok) throw_usage(std::string("field '") + name + "' must be " + type_name);
    return *it;
}

std::string text(const json &j, const char *name) {
    return field(j, name, json::value_t::string, "a string").get<std::string>();
}

double number(const json &j, const char *name) {
    double v = field(j, name, json::value_t::number_float, "a number").get<double>();
    if (!std::isfinite(v) || v < 0) throw_usage(std::string("field '") + name + "' must be >= 0");
    return v;
}

bool is_hex16(const std::string &s) {
    if (s.size() != 16) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

void check_result(const MeasureResult &m) {
    for (double v : {m.min_ms, m.median_ms, m.spread, m.compile_s, m.max_error})
        if (!std::isfinite(v) || v < 0) throw_usage("result times must be finite and >= 0");
    if (m.repeats < 0 || m.threads < 0) throw_usage("result repeats and threads must be >= 0");
    if (m.status == Status::ok && !(m.min_ms > 0))
        throw_usage("an ok result needs min_ms > 0 (a failed candidate is a status, not a time)");
    if (m.status == Status::ok && m.median_ms < m.min_ms) throw_usage("result median_ms < min_ms");
}

}  // namespace

void from_json(const json &j, Record &r) {
    if (!j.is_object()) throw_usage("a record must be a JSON object");
    std::string format = text(j, "format");
    if (format != kRecordFormat)
        throw_usage("unknown record format '" + format + "' (this htune reads " + kRecordFormat + ")");
    Record out;
    const json &w = field(j, "workload", json::value_t::object, "an object");
    out.workload_key = text(w, "key");
    auto hash_at = out.workload_key.rfind('#');
    if (hash_at == std::string::npos || !is_hex16(out.workload_key.substr(hash_at + 1)))
        throw_usage("workload key '" + out.workload_key +
                    "' must end in '#' and a 16-hex-digit structure hash");
    out.workload = field(w, "spec", json::value_t::object, "an object").get<WorkloadSpec>();
    out.flops = number(w, "flops");
    out.device_key = text(j, "device_key");
    DeviceKey::parse(out.device_key);  // validates the three parts
    out.schedule = field(j, "schedule", json::value_t::object, "an object");
    out.schedule_hash = text(j, "schedule_hash");
    if (!is_hex16(out.schedule_hash))
        throw_usage("schedule_hash '" + out.schedule_hash + "' must be 16 lowercase hex digits");
    try {
        out.result = field(j, "result", json::value_t::object, "an object").get<MeasureResult>();
    } catch (const json::exception &e) {
        throw_usage(std::string("bad field in 'result' (") + e.what() + ")");
    }
    check_result(out.result);
    const json &v = field(j, "versions", json::value_t::object, "an object");
    out.htune_version = text(v, "htune");
    out.halide_version = text(v, "halide");
    out.feature_schema = text(v, "feature_schema");
    out.timestamp = field(j, "timestamp", json::value_t::number_integer, "an integer").get<int64_t>();
    out.provenance = Provenance::imported;  // whoever measured it, this database did not
    r = std::move(out);
}

Record make_record(const Workload &w, const std::string &device_key, json schedule, std::string schedule_hash,
                   MeasureResult result, std::string feature_schema) {
    Record r;
    r.workload_key = w.key();
    r.workload = spec_of(w);
    r.flops = std::max(0.0, w.flops());
    r.device_key = device_key;
    r.schedule = std::move(schedule);
    r.schedule_hash = std::move(schedule_hash);
    r.result = std::move(result);
    r.htune_version = htune_version();
    r.halide_version = halide_version();
    r.feature_schema = std::move(feature_schema);
    r.timestamp =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    return r;
}

double gflops(const Record &r) {
    if (r.result.status != Status::ok || r.flops <= 0 || r.result.min_ms <= 0) return 0;
    return r.flops / (r.result.min_ms * 1e-3) / 1e9;
}

}  // namespace htune
