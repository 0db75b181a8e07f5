// JSON Lines export/import (see Jsonl.h).
#include "db/Jsonl.h"

#include <fstream>
#include <iostream>

#include "ops/Error.h"

namespace htune {

int64_t export_jsonl(Database &db, const RecordQuery &q, std::ostream &out) {
    int64_t n = 0;
    db.scan(q, [&](const Record &r) {
        out << nlohmann::json(r).dump() << '\n';
        n++;
    });
    out.flush();
    return n;
}

std::vector<Record> read_jsonl(std::istream &in, const std::string &name, const RecordValidator &validate) {
    std::vector<Record> records;
    int64_t line_no = 0;
    for (std::string line; std::getline(in, line);) {
        line_no++;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto where = name + ":" + std::to_string(line_no) + ": ";
        try {
            Record r = nlohmann::json::parse(line).get<Record>();
            if (validate) validate(r);
            records.push_back(std::move(r));
        } catch (const nlohmann::json::exception &e) {
            throw_usage(where + "not a valid JSON record (" + e.what() + ")");
        } catch (const Error &e) {
            throw_usage(where + e.what());
        }
    }
    if (in.bad()) throw_io("cannot read '" + name + "'", name);
    return records;
}

ImportStats import_jsonl(Database &db, const std::string &path, const RecordValidator &validate) {
    std::ifstream in(path);
    if (!in) throw_io("cannot open '" + path + "' for reading", path);
    std::vector<Record> records = read_jsonl(in, path, validate);
    ImportStats stats;
    stats.lines = (int64_t)records.size();
    CommitStats c = db.commit(records, OnDuplicate::skip);
    stats.inserted = c.inserted;
    stats.duplicates = c.duplicates;
    return stats;
}

}  // namespace htune
