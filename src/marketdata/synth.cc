#include "marketdata/synth.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include <fmt/format.h>

#include "core/parallel_for.h"

namespace kairos::marketdata {
namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;

// splitmix64's output function: a bijective 64-bit mixer.
uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double Cents(double price) { return std::max(0.01, std::round(price * 100.0) / 100.0); }

// Uniform in [lo, hi) on a log scale.
double LogUniform(SynthRng& rng, double lo, double hi) {
  return std::exp(std::log(lo) + rng.Uniform() * (std::log(hi) - std::log(lo)));
}

}  // namespace

SynthRng::SynthRng(uint64_t seed) {
  uint64_t x = seed;
  for (uint64_t& s : s_) {
    x += kGolden;
    s = Mix64(x);
  }
}

uint64_t SynthRng::Next() {
  const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = std::rotl(s_[3], 45);
  return result;
}

double SynthRng::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

double SynthRng::Normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u, v, s;
  do {
    u = 2.0 * Uniform() - 1.0;
    v = 2.0 * Uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double f = std::sqrt(-2.0 * std::log(s) / s);
  spare_ = v * f;
  has_spare_ = true;
  return u * f;
}

namespace {

// Fills `out` (reusing its buffers: no allocation once they are large enough).
void FillSynthSeries(std::string symbol, std::string exchange, std::span<const Date> sessions,
                     uint64_t seed, BarSeries& out) {
  SynthRng rng(seed);
  const double start = LogUniform(rng, 5.0, 500.0);
  const double sigma = 0.01 + 0.025 * rng.Uniform();     // daily, open to close
  const double drift = 0.0004 * (rng.Uniform() - 0.25);  // per day, slightly positive
  const double base_volume = LogUniform(rng, 1e5, 2e7);  // shares a day
  constexpr double kReversion = 0.002;  // pull of log price toward its start, per day
  constexpr double kJumpProbability = 0.004;

  out.instrument = Instrument{std::move(symbol), std::move(exchange)};
  out.close_only = false;
  const size_t n = sessions.size();
  out.dates.assign(sessions.begin(), sessions.end());
  for (auto* col : {&out.open, &out.high, &out.low, &out.close, &out.volume}) col->resize(n);

  const double anchor = std::log(start);
  double log_price = anchor;  // of the previous close, before rounding
  double prev_close = Cents(start);
  for (size_t i = 0; i < n; ++i) {
    double gap = 0.25 * sigma * rng.Normal();
    if (rng.Uniform() < kJumpProbability) {
      const double size = 0.05 + 0.25 * rng.Uniform();
      gap += rng.Uniform() < 0.5 ? std::log1p(-size) : std::log1p(size);
    }
    const double move = drift - kReversion * (log_price - anchor) + sigma * rng.Normal();
    const double open = Cents(prev_close * std::exp(gap));
    const double close = Cents(open * std::exp(move));
    const double top = std::max(open, close);
    const double bottom = std::min(open, close);
    const double high = std::max(top, Cents(top * std::exp(0.5 * sigma * std::fabs(rng.Normal()))));
    const double low =
        std::min(bottom, Cents(bottom * std::exp(-0.5 * sigma * std::fabs(rng.Normal()))));
    const double day_return = std::fabs(gap + move);
    const double volume =
        std::round(base_volume * std::exp(0.5 * rng.Normal() - 0.125 + 0.6 * day_return / sigma));
    out.open[i] = open;
    out.high[i] = high;
    out.low[i] = low;
    out.close[i] = close;
    out.volume[i] = std::max(1.0, volume);
    log_price += gap + move;
    prev_close = close;
  }
}

}  // namespace

BarSeries SynthSeries(std::string symbol, std::string exchange, std::span<const Date> sessions,
                      uint64_t seed) {
  BarSeries out;
  FillSynthSeries(std::move(symbol), std::move(exchange), sessions, seed, out);
  return out;
}

std::string SynthSymbol(int index, int count) {
  KAIROS_CHECK(1 <= index && index <= count) << "index " << index << " of " << count;
  int width = std::max<int>(4, static_cast<int>(fmt::formatted_size("{}", count)));
  return fmt::format("SYN{:0{}}", index, width);
}

uint64_t SynthSymbolSeed(uint64_t seed, int index) {
  return Mix64(Mix64(seed) ^ (static_cast<uint64_t>(index) * kGolden));
}

Result<std::vector<Date>> LastSessions(const calendar::ExchangeCalendar& cal, Date end, int count) {
  if (count < 1) {
    return Status::InvalidArgument(fmt::format("need at least one session, not {}", count));
  }
  KAIROS_RETURN_IF_ERROR(cal.CheckCovers(end));
  int32_t span = count * 7 / 5 + 14;
  for (int attempt = 0; attempt < 8; ++attempt, span *= 2) {
    std::vector<Date> sessions = cal.Sessions(end.AddDays(-span), end);
    if (sessions.size() >= static_cast<size_t>(count)) {
      sessions.erase(sessions.begin(), sessions.end() - count);
      return sessions;
    }
  }
  return Status::OutOfRange(
      fmt::format("{} has fewer than {} sessions before {}", cal.name(), count, end));
}

Status ForEachSynthSeries(const calendar::ExchangeCalendar& cal, const SynthUniverseSpec& spec,
                          const std::function<Status(int index, const BarSeries& series)>& sink) {
  if (spec.symbols < 1) {
    return Status::InvalidArgument(fmt::format("need at least one symbol, not {}", spec.symbols));
  }
  KAIROS_ASSIGN_OR_RETURN(std::vector<Date> sessions, LastSessions(cal, spec.end, spec.sessions));
  const std::string exchange(cal.name());
  const size_t threads = ThreadsFor(static_cast<size_t>(spec.symbols), spec.threads);
  std::vector<BarSeries> series(threads);  // one per worker, reused: no allocation per series
  return ParallelForUntilError(
      static_cast<size_t>(spec.symbols), threads, [&](size_t item, size_t worker) {
        const int i = static_cast<int>(item);
        FillSynthSeries(SynthSymbol(i + 1, spec.symbols), exchange, sessions,
                        SynthSymbolSeed(spec.seed, i + 1), series[worker]);
        return sink(i, series[worker]);
      });
}

Result<std::vector<BarSeries>> SynthUniverse(const calendar::ExchangeCalendar& cal,
                                             const SynthUniverseSpec& spec) {
  std::vector<BarSeries> out(static_cast<size_t>(std::max(spec.symbols, 0)));
  KAIROS_RETURN_IF_ERROR(ForEachSynthSeries(cal, spec, [&](int index, const BarSeries& series) {
    out[static_cast<size_t>(index)] = series;
    return Status::Ok();
  }));
  return out;
}

}  // namespace kairos::marketdata
