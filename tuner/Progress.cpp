// Progress.h: the live block and the plain log lines.
#include "tuner/Progress.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace htune {

std::string format_duration(double s) {
    if (!(s >= 0)) return "?";
    long t = std::lround(s);
    char buf[32];
    if (t >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    else if (t >= 60)
        std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
    else
        std::snprintf(buf, sizeof buf, "%lds", t);
    return buf;
}

std::string format_row(const ProgressRow &r) {
    std::ostringstream os;
    char buf[160];
    os << r.workload << "  trials " << r.trials;
    if (r.budget > 0) os << "/" << r.budget;
    if (r.best_ms > 0) {
        std::snprintf(buf, sizeof buf, "  best %.4g ms", r.best_ms);
        os << buf;
        if (r.gflops > 0) {
            std::snprintf(buf, sizeof buf, "  %.1f GFLOP/s", r.gflops);
            os << buf;
        }
        if (r.speedup > 0) {
            std::snprintf(buf, sizeof buf, "  %.2fx vs heuristic", r.speedup);
            os << buf;
        }
    } else {
        os << "  best -";
    }
    if (r.failures) os << "  " << r.failures << " failed";
    if (!r.state.empty())
        os << "  [" << r.state << "]";
    else if (r.eta_s >= 0)
        os << "  eta " << format_duration(r.eta_s);
    return os.str();
}

namespace {

class PlainProgress : public Progress {
public:
    explicit PlainProgress(std::ostream &os) : os_(os) {}
    void update(const std::vector<ProgressRow> &rows, int changed, double elapsed_s,
                const std::string &total) override {
        if (changed < 0 || changed >= (int)rows.size()) return;
        os_ << "[" << format_duration(elapsed_s) << "] " << format_row(rows[changed]);
        if (!total.empty()) os_ << "  | " << total;
        os_ << std::endl;
    }
    void note(const std::string &line) override { os_ << line << std::endl; }
    void finish() override {}

private:
    std::ostream &os_;
};

class LiveProgress : public Progress {
public:
    explicit LiveProgress(std::ostream &os) : os_(os) {}
    void update(const std::vector<ProgressRow> &rows, int, double elapsed_s,
                const std::string &total) override {
        rows_ = rows;
        elapsed_ = elapsed_s;
        total_ = total;
        redraw();
    }
    void note(const std::string &line) override {
        erase();
        os_ << line << "\n";
        drawn_ = 0;
        redraw();
    }
    void finish() override {
        os_.flush();
        drawn_ = 0;
        rows_.clear();
    }

private:
    void erase() {
        if (drawn_ > 0) os_ << "\033[" << drawn_ << "A";
        for (int i = 0; i < drawn_; i++)
            os_ << "\033[2K\n";
        if (drawn_ > 0) os_ << "\033[" << drawn_ << "A";
    }
    void redraw() {
        if (drawn_ > 0) os_ << "\033[" << drawn_ << "A";
        int n = 0;
        if (!rows_.empty()) {
            os_ << "\033[2K"
                << "htune tune  elapsed " << format_duration(elapsed_)
                << (total_.empty() ? "" : "  " + total_) << "\n";
            n++;
        }
        for (const auto &r : rows_) {
            os_ << "\033[2K  " << format_row(r) << "\n";
            n++;
        }
        drawn_ = n;
        os_.flush();
    }
    std::ostream &os_;
    std::vector<ProgressRow> rows_;
    double elapsed_ = 0;
    std::string total_;
    int drawn_ = 0;
};

}  // namespace

std::unique_ptr<Progress> make_progress(std::ostream &os, bool live) {
    if (live) return std::make_unique<LiveProgress>(os);
    return std::make_unique<PlainProgress>(os);
}

}  // namespace htune
