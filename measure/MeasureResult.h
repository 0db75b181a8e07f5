// MeasureResult: the outcome of measuring one candidate schedule. A plain value shared by
// measure/ (which produces it) and db/ (which stores it); header-only so db/ stays free of
// measure's dependencies. A failed candidate is data (its status), never a fake huge time.
#pragma once

#include <nlohmann/json.hpp>

#include <limits>
#include <string>

#include "ops/Error.h"

namespace htune {

enum class Status { ok, compile_error, runtime_error, timeout, crash, wrong_output };

inline const char *to_string(Status s) {
    switch (s) {
    case Status::ok: return "ok";
    case Status::compile_error: return "compile_error";
    case Status::runtime_error: return "runtime_error";
    case Status::timeout: return "timeout";
    case Status::crash: return "crash";
    case Status::wrong_output: return "wrong_output";
    }
    return "?";
}

// Throws a usage Error for an unknown status name.
inline Status status_from_string(const std::string &s) {
    for (Status v : {Status::ok, Status::compile_error, Status::runtime_error, Status::timeout,
                     Status::crash, Status::wrong_output})
        if (s == to_string(v)) return v;
    throw_usage("unknown status '" + s + "'");
}

struct MeasureResult {
    Status status = Status::ok;
    double min_ms = 0, median_ms = 0;  // over the timed repeats (after warm-up); 0 unless ok
    double spread = 0;                 // (max - min) / min of the timed repeats
    int repeats = 0;                   // timed repeats
    int threads = 0;                   // Halide thread count the candidate ran with
    double compile_s = 0;              // wall time of the JIT/AOT compile
    double max_error = 0;              // largest abs difference from the reference (if compared)
    std::string error;                 // full Halide error text, signal, or mismatch; "" when ok
    std::string host;                  // who measured it ("hostname/rank N" under --mpi); "" = here

    bool operator==(const MeasureResult &o) const {
        return status == o.status && min_ms == o.min_ms && median_ms == o.median_ms && spread == o.spread &&
               repeats == o.repeats && threads == o.threads && compile_s == o.compile_s &&
               max_error == o.max_error && error == o.error && host == o.host;
    }
};

inline void to_json(nlohmann::json &j, const MeasureResult &r) {
    j = nlohmann::json{{"status", to_string(r.status)}, {"min_ms", r.min_ms},
                       {"median_ms", r.median_ms}, {"spread", r.spread},
                       {"repeats", r.repeats}, {"threads", r.threads},
                       {"compile_s", r.compile_s}, {"max_error", r.max_error},
                       {"error", r.error}};
    if (!r.host.empty()) j["host"] = r.host;  // absent for a one-machine run, as before
}

inline void from_json(const nlohmann::json &j, MeasureResult &r) {
    if (!j.is_object() || !j.contains("status") || !j["status"].is_string())
        throw_usage("measure result needs a string 'status'");
    r = MeasureResult{};
    r.status = status_from_string(j["status"].get<std::string>());
    // JSON has no NaN or infinity: nlohmann writes them as null (e.g. the max error of an output
    // full of NaNs, or the spread of a 0 ms minimum). Read null back as "not a finite number".
    auto number = [&](const char *key, double when_null) {
        if (!j.contains(key)) return 0.0;
        if (j[key].is_null()) return when_null;
        return j[key].get<double>();
    };
    const double inf = std::numeric_limits<double>::infinity();
    r.min_ms = number("min_ms", 0);
    r.median_ms = number("median_ms", 0);
    r.spread = number("spread", inf);
    r.repeats = j.value("repeats", 0);
    r.threads = j.value("threads", 0);
    r.compile_s = number("compile_s", 0);
    r.max_error = number("max_error", inf);
    r.error = j.value("error", std::string());
    r.host = j.value("host", std::string());
}

}  // namespace htune
