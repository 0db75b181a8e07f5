// Opening a database file safely: checks that it is an htune database of a schema this htune
// understands (before writing anything), sets WAL and the busy timeout, and runs migrations.
#pragma once

#include <memory>
#include <string>

#include "db/Database.h"
#include "db/Sqlite.h"

namespace htune {

// The connection to a checked, migrated database at `path` (see open_database).
std::unique_ptr<Sqlite> open_checked(const std::string &path, const OpenOptions &options);

}  // namespace htune
