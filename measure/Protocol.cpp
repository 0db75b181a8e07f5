// Worker protocol JSON (see Protocol.h).
#include "measure/Protocol.h"

#include "ops/Error.h"

namespace htune {

namespace {

const nlohmann::json &field(const nlohmann::json &j, const char *job, const char *name) {
    if (!j.is_object() || !j.contains(name)) throw_usage(std::string(job) + " job needs '" + name + "'");
    return j.at(name);
}

template <typename T>
T get_field(const nlohmann::json &j, const char *job, const char *name) {
    try {
        return field(j, job, name).get<T>();
    } catch (const nlohmann::json::exception &e) {
        throw_usage(std::string(job) + " job: bad '" + name + "': " + e.what());
    }
}

}  // namespace

nlohmann::json to_job_json(const LoadJob &j) {
    return {{"job", "load"},      {"workload", j.workload}, {"seed", j.seed}, {"reference", j.reference_path},
            {"target", j.target}, {"threads", j.threads}};
}

nlohmann::json to_job_json(const CompileJob &j) {
    nlohmann::json o{
        {"job", "compile"}, {"id", j.id}, {"kind", to_string(j.kind)}, {"fault", to_string(j.fault)}};
    switch (j.kind) {
        case CandidateKind::schedule:
            o["schedule"] = j.schedule;
            break;
        case CandidateKind::naive:
            break;
        case CandidateKind::autoscheduler:
            o["name"] = j.name;
            o["plugin"] = j.plugin;
            o["machine"] = {{"parallelism", j.machine.parallelism},
                            {"last_level_cache", j.machine.last_level_cache_bytes},
                            {"balance", j.machine.balance}};
            o["log"] = j.log;
            if (j.import_schedule) o["import"] = true;
            break;
        case CandidateKind::external:
            o["name"] = j.name;
            break;
        case CandidateKind::as_written:
            if (j.import_schedule) o["import"] = true;
            break;
    }
    return o;
}

nlohmann::json to_job_json(const RunJob &j) { return {{"job", "run"}, {"id", j.id}, {"timing", j.timing}}; }

LoadJob load_job_from_json(const nlohmann::json &j) {
    LoadJob l;
    l.workload = get_field<WorkloadSpec>(j, "load", "workload");
    l.seed = get_field<uint64_t>(j, "load", "seed");
    l.reference_path = get_field<std::string>(j, "load", "reference");
    l.target = get_field<std::string>(j, "load", "target");
    l.threads = get_field<int>(j, "load", "threads");
    if (l.threads < 1) throw_usage("load job: threads must be >= 1");
    return l;
}

CompileJob compile_job_from_json(const nlohmann::json &j) {
    CompileJob c;
    c.id = get_field<int>(j, "compile", "id");
    std::string kind = j.contains("kind") ? get_field<std::string>(j, "compile", "kind") : "schedule";
    c.kind = candidate_kind_from_string(kind);
    switch (c.kind) {
        case CandidateKind::schedule:
            c.schedule = field(j, "compile", "schedule");
            break;
        case CandidateKind::naive:
            break;
        case CandidateKind::autoscheduler: {
            c.name = get_field<std::string>(j, "compile", "name");
            c.plugin = get_field<std::string>(j, "compile", "plugin");
            const nlohmann::json &m = field(j, "compile", "machine");
            c.machine.parallelism = get_field<int>(m, "compile machine", "parallelism");
            c.machine.last_level_cache_bytes = get_field<uint64_t>(m, "compile machine", "last_level_cache");
            c.machine.balance = get_field<double>(m, "compile machine", "balance");
            if (j.contains("log")) c.log = get_field<std::string>(j, "compile", "log");
            if (j.contains("import")) c.import_schedule = get_field<bool>(j, "compile", "import");
            break;
        }
        case CandidateKind::external:
            c.name = get_field<std::string>(j, "compile", "name");
            break;
        case CandidateKind::as_written:
            c.name = "as_written";
            if (j.contains("import")) c.import_schedule = get_field<bool>(j, "compile", "import");
            break;
    }
    c.fault =
        j.contains("fault") ? fault_from_string(get_field<std::string>(j, "compile", "fault")) : Fault::none;
    return c;
}

RunJob run_job_from_json(const nlohmann::json &j) {
    RunJob r;
    r.id = get_field<int>(j, "run", "id");
    if (j.contains("timing")) r.timing = get_field<TimingPolicy>(j, "run", "timing");
    return r;
}

nlohmann::json load_reply(bool ok, int threads, const std::string &error) {
    nlohmann::json j{{"job", "load"}, {"ok", ok}, {"threads", threads}};
    if (!ok) j["error"] = error;
    return j;
}

nlohmann::json compile_reply(int id, Status status, double compile_s, const std::string &error,
                             const std::string &warnings) {
    nlohmann::json j{{"job", "compile"},
                     {"id", id},
                     {"status", to_string(status)},
                     {"compile_s", compile_s},
                     {"error", error}};
    if (!warnings.empty()) j["warnings"] = warnings;
    return j;
}

nlohmann::json run_reply(int id, const MeasureResult &r) {
    return {{"job", "run"}, {"id", id}, {"result", r}};
}

nlohmann::json error_reply(const std::string &error) { return {{"job", "error"}, {"error", error}}; }

}  // namespace htune
