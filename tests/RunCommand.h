// Test helper: run the built `htune` binary (or any shell command) and capture its exit code,
// stdout and stderr. Used by CLI tests in every folder.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace htune::test {

struct CommandResult {
    int exit_code = -1;
    std::string out, err;
};

inline std::string read_file(const std::string &path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Runs `command` through /bin/sh with stdout and stderr captured to temporary files.
inline CommandResult run_shell(const std::string &command) {
    char out_tmpl[] = "/tmp/htune_test_outXXXXXX", err_tmpl[] = "/tmp/htune_test_errXXXXXX";
    int fo = mkstemp(out_tmpl), fe = mkstemp(err_tmpl);
    close(fo);
    close(fe);
    std::string full = command + " >" + out_tmpl + " 2>" + err_tmpl + " </dev/null";
    int status = std::system(full.c_str());
    CommandResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read_file(out_tmpl);
    r.err = read_file(err_tmpl);
    unlink(out_tmpl);
    unlink(err_tmpl);
    return r;
}

inline CommandResult run_htune(const std::string &args) {
    return run_shell(std::string(HTUNE_BINARY) + " " + args);
}

// A fresh temporary directory, removed by the caller if wanted.
inline std::string temp_dir() {
    char tmpl[] = "/tmp/htune_testXXXXXX";
    return std::string(mkdtemp(tmpl));
}

}  // namespace htune::test
