// `htune import`: add the records of a JSON Lines tuning log to a database. Every line is
// validated first (schedule hash included); a file with a bad line imports nothing.
#include <fstream>
#include <iostream>

#include "db/Database.h"
#include "db/Jsonl.h"
#include "ops/Error.h"
#include "schedules/Schedule.h"
#include "tuner/Command.h"
#include "tuner/WorkloadOptions.h"

namespace po = boost::program_options;

namespace htune {

namespace {

// The check db/ cannot do itself: the schedule is one this htune reads, and its hash matches.
void validate_schedule(const Record &r) {
    Schedule s = r.schedule.get<Schedule>();
    std::string h = schedule_hash(s);
    if (h != r.schedule_hash)
        throw_usage("schedule_hash '" + r.schedule_hash + "' does not match the schedule (its hash is " + h +
                    ")");
}

int run_import(const std::vector<std::string> &args) {
    po::options_description desc("htune import options");
    std::string db_path = kDefaultDatabasePath, in_path;
    desc.add_options()("db", po::value(&db_path), "tuning database (default ./htune.db; created if missing)")(
        "input", po::value(&in_path), "IN.jsonl");
    po::positional_options_description pos;
    pos.add("input", 1);
    po::variables_map vm;
    if (parse_command_line("import", args, desc, vm, &pos, "[--db FILE] IN.jsonl")) return 0;
    if (in_path.empty()) throw_usage("import: give the tuning log to import (IN.jsonl)");

    // Validate the whole file before touching the database: a bad line imports nothing.
    std::ifstream in(in_path);
    if (!in) throw_io("cannot open '" + in_path + "' for reading", in_path);
    std::vector<Record> records = read_jsonl(in, in_path, validate_schedule);
    auto db = open_database(db_path);
    CommitStats c = db->commit(records, OnDuplicate::skip);
    std::cout << "imported " << c.inserted << " records from " << in_path << " (" << c.duplicates
              << " duplicates skipped)\n";
    return 0;
}

}  // namespace

Command import_command() {
    return {"import", "add a JSON Lines tuning log to the database (idempotent)", run_import};
}

}  // namespace htune
