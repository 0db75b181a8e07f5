// TuneOptions.h: parsing what `htune tune` takes as text into TuneOptions.
#include "tuner/TuneOptions.h"

#include <cctype>
#include <cmath>

#include "ops/Error.h"

namespace htune {

double parse_duration(const std::string &text) {
    auto bad = [&] {
        throw_usage("bad duration '" + text + "' (expected e.g. 8h, 30m, 90s, 1h30m or seconds)");
    };
    if (text.empty()) bad();
    double total = 0;
    size_t i = 0;
    bool any = false;
    while (i < text.size()) {
        size_t j = i;
        while (j < text.size() && (std::isdigit((unsigned char)text[j]) || text[j] == '.')) j++;
        if (j == i) bad();
        double v = 0;
        try {
            v = std::stod(text.substr(i, j - i));
        } catch (const std::exception &) {
            bad();
        }
        double unit = 1;
        if (j < text.size()) {
            char c = text[j++];
            if (c == 'h')
                unit = 3600;
            else if (c == 'm')
                unit = 60;
            else if (c == 's')
                unit = 1;
            else
                bad();
        } else if (any) {
            bad();  // "1h30": a unit is required after the first part
        }
        total += v * unit;
        any = true;
        i = j;
    }
    if (!(total > 0) || !std::isfinite(total)) bad();
    return total;
}

}  // namespace htune
