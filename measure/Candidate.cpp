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
    }
    return "?";
}

Fault fault_from_string(const std::string &s) {
    for (Fault f :
         {Fault::none, Fault::crash, Fault::hang, Fault::oom, Fault::wrong_output, Fault::wrong_second_input})
        if (s == to_string(f)) return f;
    throw_usage("unknown fault '" + s + "' (expected crash, hang, oom, wrong_output or wrong_second_input)");
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

}  // namespace htune
