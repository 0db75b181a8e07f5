// Device type detection and the device key format (see DeviceKey.h).
#include "db/DeviceKey.h"

#include <cctype>
#include <fstream>
#include <thread>

#include "ops/Error.h"
#include "ops/HostTarget.h"

namespace htune {

namespace {

// Collapses whitespace runs and replaces the key separator, so any CPU name fits in a key.
std::string normalize(const std::string &s) {
    std::string out;
    for (char c : s) {
        if (c == '|') c = '/';
        if (std::isspace((unsigned char)c)) {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += c;
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace

std::string DeviceKey::key() const { return target + "|" + cpu_model + "|" + std::to_string(threads) + "t"; }

DeviceKey DeviceKey::parse(const std::string &key) {
    auto first = key.find('|'), last = key.rfind('|');
    auto bad = [&](const std::string &why) {
        throw_usage("bad device key '" + key + "': " + why + " (expected TARGET|CPU MODEL|Nt)");
    };
    if (first == std::string::npos || first == last) bad("it needs three parts separated by '|'");
    DeviceKey d;
    d.target = key.substr(0, first);
    d.cpu_model = key.substr(first + 1, last - first - 1);
    std::string t = key.substr(last + 1);
    if (d.target.empty()) bad("empty target");
    if (d.cpu_model.empty()) bad("empty CPU model");
    if (t.size() < 2 || t.size() > 7 || t.back() != 't' || t.find_first_not_of("0123456789") != t.size() - 1)
        bad("the thread count must look like '8t'");
    d.threads = std::stoi(t.substr(0, t.size() - 1));
    if (d.threads <= 0) bad("the thread count must be positive");
    return d;
}

DeviceKey current_device(const Halide::Target &target, int threads) {
    DeviceKey d;
    // JIT is how a candidate is compiled, not what it runs on: the same type either way.
    d.target = target.without_feature(Halide::Target::JIT).to_string();
    d.cpu_model = cpu_model_name();
    d.threads = threads;
    return d;
}

DeviceKey host_device() { return current_device(htune::host_target(), default_thread_count()); }

int default_thread_count() {
    unsigned n = std::thread::hardware_concurrency();
    return n ? (int)n : 1;
}

std::string cpu_model_name() {
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("model name", 0) != 0) continue;
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = normalize(line.substr(colon + 1));
        if (!name.empty()) return name;
    }
    return "unknown-cpu";
}

}  // namespace htune
