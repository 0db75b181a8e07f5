// Candidate, CandidateKind and Fault (see Candidate.h): names, parsing and the factories.
#include "measure/Candidate.h"

#include <sstream>

#include "ops/Error.h"

namespace htune {

const char *to_string(CandidateKind k) {
    switch (k) {
        case CandidateKind::schedule:
            return "schedule";
        case CandidateKind::naive:
            return "naive";
        case CandidateKind::autoscheduler:
            return "autoscheduler";
        case CandidateKind::external:
            return "external";
        case CandidateKind::as_written:
            return "as_written";
    }
    return "?";
}

CandidateKind candidate_kind_from_string(const std::string &s) {
    for (CandidateKind k : {CandidateKind::schedule, CandidateKind::naive, CandidateKind::autoscheduler,
                            CandidateKind::external, CandidateKind::as_written})
        if (s == to_string(k)) return k;
    throw_usage("unknown candidate kind '" + s +
                "' (expected schedule, naive, autoscheduler, external or as_written)");
}

Candidate Candidate::of(Schedule s, Fault f) {
    Candidate c;
    c.schedule = std::move(s);
    c.fault = f;
    return c;
}

Candidate Candidate::naive() {
    Candidate c;
    c.kind = CandidateKind::naive;
    return c;
}

Candidate Candidate::autoscheduler(std::string name, std::string plugin_path, AutoschedulerMachine m) {
    Candidate c;
    c.kind = CandidateKind::autoscheduler;
    c.name = std::move(name);
    c.plugin_path = std::move(plugin_path);
    c.machine = m;
    return c;
}

Candidate Candidate::external(std::string name) {
    Candidate c;
    c.kind = CandidateKind::external;
    c.name = std::move(name);
    return c;
}

Candidate Candidate::as_written() {
    Candidate c;
    c.kind = CandidateKind::as_written;
    c.name = "as_written";
    return c;
}

const char *to_string(Fault f) {
    switch (f) {
        case Fault::none:
            return "none";
        case Fault::crash:
            return "crash";
        case Fault::hang:
            return "hang";
        case Fault::oom:
            return "oom";
        case Fault::wrong_output:
            return "wrong_output";
        case Fault::wrong_second_input:
            return "wrong_second_input";
        case Fault::compile_oom:
            return "compile_oom";
    }
    return "?";
}

Fault fault_from_string(const std::string &s) {
    for (Fault f : {Fault::none, Fault::crash, Fault::hang, Fault::oom, Fault::wrong_output,
                    Fault::wrong_second_input, Fault::compile_oom})
        if (s == to_string(f)) return f;
    throw_usage("unknown fault '" + s +
                "' (expected crash, hang, oom, wrong_output, wrong_second_input or compile_oom)");
}

std::vector<Fault> parse_fault_list(const std::string &list) {
    std::vector<Fault> out;
    std::stringstream ss(list);
    for (std::string item; std::getline(ss, item, ',');) {
        if (item.empty()) continue;
        Fault f = fault_from_string(item);
        if (f == Fault::none) throw_usage("fault 'none' cannot be injected");
        for (Fault g : out)
            if (g == f) throw_usage("fault '" + item + "' is listed twice");
        out.push_back(f);
    }
    return out;
}

namespace {

const nlohmann::json &member(const nlohmann::json &j, const char *name, const char *what) {
    if (!j.is_object() || !j.contains(name)) throw_usage(std::string(what) + " needs '" + name + "'");
    return j.at(name);
}

}  // namespace

void to_json(nlohmann::json &j, const Candidate &c) {
    j = {{"kind", to_string(c.kind)},
         {"schedule", c.schedule},
         {"name", c.name},
         {"plugin_path", c.plugin_path},
         {"machine",
          {{"parallelism", c.machine.parallelism},
           {"last_level_cache_bytes", c.machine.last_level_cache_bytes},
           {"balance", c.machine.balance}}},
         {"run_timeout_s", c.run_timeout_s},
         {"cutoff_ms", c.cutoff_ms},
         {"compile_timeout_s", c.compile_timeout_s},
         {"fault", to_string(c.fault)}};
}

void from_json(const nlohmann::json &j, Candidate &c) {
    try {
        c = Candidate{};
        c.kind = candidate_kind_from_string(member(j, "kind", "a candidate").get<std::string>());
        c.schedule = member(j, "schedule", "a candidate").get<Schedule>();
        c.name = member(j, "name", "a candidate").get<std::string>();
        c.plugin_path = member(j, "plugin_path", "a candidate").get<std::string>();
        const nlohmann::json &m = member(j, "machine", "a candidate");
        c.machine.parallelism = member(m, "parallelism", "a candidate's machine").get<int>();
        c.machine.last_level_cache_bytes =
            member(m, "last_level_cache_bytes", "a candidate's machine").get<uint64_t>();
        c.machine.balance = member(m, "balance", "a candidate's machine").get<double>();
        c.run_timeout_s = member(j, "run_timeout_s", "a candidate").get<double>();
        c.cutoff_ms = member(j, "cutoff_ms", "a candidate").get<double>();
        c.compile_timeout_s = member(j, "compile_timeout_s", "a candidate").get<double>();
        c.fault = fault_from_string(member(j, "fault", "a candidate").get<std::string>());
    } catch (const nlohmann::json::exception &e) {
        throw_usage(std::string("bad candidate JSON: ") + e.what());
    }
}

void to_json(nlohmann::json &j, const ImportedCandidate &c) {
    j = {{"status", to_string(c.status)},
         {"error", c.error},
         {"schedule", c.schedule},
         {"changes", c.changes},
         {"seconds", c.seconds}};
}

void from_json(const nlohmann::json &j, ImportedCandidate &c) {
    try {
        c = ImportedCandidate{};
        c.status = status_from_string(member(j, "status", "an imported candidate").get<std::string>());
        c.error = member(j, "error", "an imported candidate").get<std::string>();
        c.schedule = member(j, "schedule", "an imported candidate").get<Schedule>();
        c.changes = member(j, "changes", "an imported candidate").get<std::vector<std::string>>();
        c.seconds = member(j, "seconds", "an imported candidate").get<double>();
    } catch (const nlohmann::json::exception &e) {
        throw_usage(std::string("bad imported candidate JSON: ") + e.what());
    }
}

}  // namespace htune
