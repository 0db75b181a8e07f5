// DeviceKey: the *type* of machine a record was measured on (never the hostname): Halide
// target (ISA + features), CPU model and the thread count used. Its target part is the fallback.
#pragma once

#include <Halide.h>

#include <string>

namespace htune {

struct DeviceKey {
    std::string target;     // Halide target string (arch-bits-os-features), without "jit"
    std::string cpu_model;  // /proc/cpuinfo "model name", whitespace collapsed, '|' -> '/'
    int threads = 0;        // Halide thread count the candidates ran with

    // "x86-64-linux-avx-avx2-...|Intel(R) Xeon(R) ...|2t": the database's device key.
    std::string key() const;
    // The fallback level: device types with the same target share this.
    const std::string &target_part() const { return target; }

    // Inverse of key(); throws a usage Error naming a malformed key.
    static DeviceKey parse(const std::string &key);
    bool operator==(const DeviceKey &o) const {
        return target == o.target && cpu_model == o.cpu_model && threads == o.threads;
    }
};

// The device type of this machine when running candidates for `target` with `threads` threads.
DeviceKey current_device(const Halide::Target &target, int threads);
// current_device(get_host_target(), default_thread_count()): what `htune best` looks up.
DeviceKey host_device();
// The thread count a tuning run uses unless told otherwise: all hardware threads.
int default_thread_count();
// "model name" from /proc/cpuinfo (or "unknown-cpu"), normalized for use in a key.
std::string cpu_model_name();

}  // namespace htune
