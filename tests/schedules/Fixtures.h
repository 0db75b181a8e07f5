// Shared by the schedule tests: the schedule fixtures in tests/data/schedules.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "schedules/Schedule.h"
#include "tests/RunCommand.h"

namespace htune {

// The Schedule stored in tests/data/schedules/`file`.
inline Schedule fixture_schedule(const std::string &file) {
    return nlohmann::json::parse(test::read_file(HTUNE_TEST_DATA "/schedules/" + file)).get<Schedule>();
}

}  // namespace htune
