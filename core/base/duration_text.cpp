#include "core/base/duration_text.hpp"

#include <algorithm>
#include <cstdio>

namespace smtpdoctor {
namespace {

// "%.2f" without the zeros at the end: "2.50" -> "2.5", "2.00" -> "2".
std::string decimals(double value, int places) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.*f", places, value);
  std::string text = buffer;
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

}  // namespace

std::string format_duration(std::chrono::milliseconds duration) {
  long long ms = std::max<long long>(0, duration.count());
  if (ms < 1000) return std::to_string(ms) + " ms";
  if (ms < 10'000) return decimals(double(ms) / 1000, 2) + " s";
  if (ms < 60'000) return decimals(double(ms) / 1000, 1) + " s";
  std::string text = std::to_string(ms / 60'000) + " min";
  if (long long s = (ms % 60'000) / 1000; s > 0) text += " " + std::to_string(s) + " s";
  return text;
}

}  // namespace smtpdoctor
