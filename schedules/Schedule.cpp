// Schedule JSON round trip and content hash (see Schedule.h).
#include "schedules/Schedule.h"

#include <algorithm>

#include "ops/Error.h"
#include "ops/Hash.h"

namespace htune {

using nlohmann::json;

const std::vector<std::string> &tail_names() {
    static const std::vector<std::string> names = {"round_up", "shift_inwards", "guard"};
    return names;
}

const char *to_string(Placement p) {
    switch (p) {
        case Placement::inline_:
            return "inline";
        case Placement::root:
            return "root";
        case Placement::at:
            return "at";
    }
    return "?";
}

namespace {

Placement placement_from(const std::string &s, const std::string &func) {
    if (s == "inline") return Placement::inline_;
    if (s == "root") return Placement::root;
    if (s == "at") return Placement::at;
    throw_usage("schedule: Func '" + func + "' has unknown placement '" + s + "'");
}

template <typename T>
T field(const json &j, const char *name, const std::string &where, T def) {
    if (!j.contains(name)) return def;
    try {
        return j.at(name).get<T>();
    } catch (const json::exception &) {
        throw_usage("schedule: field '" + std::string(name) + "' of " + where + " has the wrong type");
    }
}

json stage_to_json(const StageSchedule &st) {
    json j = json::object();
    if (!st.splits.empty()) {
        json sp = json::array();
        for (const auto &d : st.splits) {
            json dj = {{"var", d.var}, {"factors", d.factors}};
            if (!d.tail.empty()) dj["tail"] = d.tail;  // absent = default: older hashes stay
            sp.push_back(dj);
        }
        j["splits"] = sp;
    }
    if (!st.order.empty()) j["order"] = st.order;
    if (!st.vectorize.empty()) j["vectorize"] = st.vectorize;
    if (!st.unroll.empty()) j["unroll"] = st.unroll;
    if (!st.parallel.empty()) j["parallel"] = st.parallel;
    if (!st.rfactor.empty()) {
        j["rfactor"] = {{"rvar", st.rfactor.rvar}, {"keep", st.rfactor.keep}, {"var", st.rfactor.var}};
        if (st.rfactor.factor > 0) j["rfactor"]["factor"] = st.rfactor.factor;
    }
    return j;
}

StageSchedule stage_from_json(const json &j, const std::string &where) {
    if (!j.is_object()) throw_usage("schedule: " + where + " is not an object");
    StageSchedule st;
    if (j.contains("splits")) {
        if (!j["splits"].is_array()) throw_usage("schedule: splits of " + where + " is not an array");
        for (const auto &d : j["splits"]) {
            if (!d.is_object()) throw_usage("schedule: a split of " + where + " is not an object");
            DimSplit s;
            s.var = field<std::string>(d, "var", where, "");
            s.factors = field<std::vector<int>>(d, "factors", where, {});
            if (s.var.empty() || s.factors.empty() || s.factors.size() > kMaxSplitLevels)
                throw_usage("schedule: a split of " + where + " needs a var and 1 to " +
                            std::to_string(kMaxSplitLevels) + " factors");
            for (int f : s.factors)
                if (f < 1)
                    throw_usage("schedule: split factor " + std::to_string(f) + " of " + where + " is < 1");
            s.tail = field<std::string>(d, "tail", where, "");
            const auto &names = tail_names();
            if (!s.tail.empty() && std::find(names.begin(), names.end(), s.tail) == names.end())
                throw_usage("schedule: tail '" + s.tail + "' of a split of " + where +
                            " is not one of round_up, shift_inwards, guard");
            st.splits.push_back(s);
        }
    }
    st.order = field<std::vector<std::string>>(j, "order", where, {});
    st.vectorize = field<std::string>(j, "vectorize", where, "");
    st.unroll = field<std::vector<std::string>>(j, "unroll", where, {});
    st.parallel = field<std::vector<std::string>>(j, "parallel", where, {});
    if (j.contains("rfactor")) {
        const json &r = j["rfactor"];
        if (!r.is_object()) throw_usage("schedule: rfactor of " + where + " is not an object");
        st.rfactor.rvar = field<std::string>(r, "rvar", where + " rfactor", "");
        st.rfactor.factor = field<int>(r, "factor", where + " rfactor", 0);
        st.rfactor.keep = field<std::string>(r, "keep", where + " rfactor", "");
        st.rfactor.var = field<std::string>(r, "var", where + " rfactor", "");
        if (st.rfactor.rvar.empty() || st.rfactor.keep.empty() || st.rfactor.var.empty())
            throw_usage("schedule: rfactor of " + where + " needs an rvar, the loop to keep and a var");
        if (st.rfactor.factor < 0 || st.rfactor.factor == 1)
            throw_usage("schedule: rfactor factor of " + where + " must be 0 or >= 2");
    }
    return st;
}

}  // namespace

void to_json(json &j, const Schedule &s) {
    j = json::object();
    j["version"] = s.version;
    json funcs = json::object();
    for (const auto &kv : s.funcs) {
        const FuncSchedule &f = kv.second;
        json fj = {{"placement", to_string(f.placement)}};
        if (f.placement == Placement::at) {
            fj["at"] = {{"func", f.at_func}, {"stage", f.at_stage}, {"loop", f.at_loop}};
            if (!f.store_loop.empty()) fj["at"]["store_loop"] = f.store_loop;
            if (f.store_with_consumer) fj["at"]["store_with_consumer"] = true;
        }
        if (!f.stages.empty()) {
            json stages = json::array();
            for (const auto &st : f.stages) stages.push_back(stage_to_json(st));
            fj["stages"] = stages;
        }
        if (!f.storage.empty()) fj["storage"] = f.storage;  // absent = default: older hashes stay
        if (!f.wrap.empty()) fj["wrap"] = f.wrap;           // (the same)
        funcs[kv.first] = fj;
    }
    j["funcs"] = funcs;
}

void from_json(const json &j, Schedule &s) {
    if (!j.is_object()) throw_usage("schedule: expected a JSON object");
    s = Schedule{};
    s.version = field<int>(j, "version", "the schedule", -1);
    if (s.version != kScheduleSchemaVersion)
        throw_usage("schedule: schema version " + std::to_string(s.version) + " is not supported (expected " +
                    std::to_string(kScheduleSchemaVersion) + ")");
    if (!j.contains("funcs") || !j["funcs"].is_object()) throw_usage("schedule: missing object 'funcs'");
    for (auto it = j["funcs"].begin(); it != j["funcs"].end(); ++it) {
        const std::string where = "Func '" + it.key() + "'";
        const json &fj = it.value();
        if (!fj.is_object()) throw_usage("schedule: " + where + " is not an object");
        FuncSchedule f;
        f.placement = placement_from(field<std::string>(fj, "placement", where, ""), it.key());
        if (f.placement == Placement::at) {
            if (!fj.contains("at") || !fj["at"].is_object())
                throw_usage("schedule: " + where + " is placed 'at' but has no 'at' object");
            const json &at = fj["at"];
            f.at_func = field<std::string>(at, "func", where, "");
            f.at_stage = field<int>(at, "stage", where, 0);
            f.at_loop = field<std::string>(at, "loop", where, "");
            f.store_loop = field<std::string>(at, "store_loop", where, "");
            f.store_with_consumer = field<bool>(at, "store_with_consumer", where, false);
            if (f.at_func.empty() || f.at_loop.empty())
                throw_usage("schedule: " + where + " 'at' needs a func and a loop");
        }
        if (fj.contains("stages")) {
            if (!fj["stages"].is_array()) throw_usage("schedule: stages of " + where + " is not an array");
            int i = 0;
            for (const auto &st : fj["stages"])
                f.stages.push_back(stage_from_json(st, where + " stage " + std::to_string(i++)));
        }
        f.storage = field<std::vector<std::string>>(fj, "storage", where, {});
        f.wrap = field<std::vector<std::string>>(fj, "wrap", where, {});
        s.funcs[it.key()] = f;
    }
}

const FuncSchedule *computed_under(const Schedule &s, const std::string &f, const std::string &g) {
    std::string cur = f;
    for (size_t depth = 0; depth <= s.funcs.size(); depth++) {
        auto it = s.funcs.find(cur);
        if (it == s.funcs.end() || it->second.placement != Placement::at) return nullptr;
        if (it->second.at_func == g) return &it->second;
        cur = it->second.at_func;
    }
    return nullptr;
}

std::string schedule_hash(const Schedule &s) {
    // nlohmann::json objects keep keys sorted, so dump() is canonical.
    return hex16(fnv1a64(json(s).dump()));
}

}  // namespace htune
