#include "indicators/macd.h"

#include <algorithm>

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

using kernel_util::kNaN;

using Core = BasicEmaCore<EmaForm::kTaLib>;

MacdParams Normalized(MacdParams p) {
  if (p.fast > p.slow) std::swap(p.fast, p.slow);
  return p;
}

// One finite run. Phases: seeding sums (branch-light), the signal's seed, then a straight loop
// with the three recursions interleaved, in exactly EmaCore's arithmetic.
bool MacdRun(std::span<const double> x, MacdParams p, double* macd_out, double* signal_out,
             double* hist_out) {
  const size_t n = x.size();
  const size_t fast = static_cast<size_t>(p.fast);
  const size_t slow = static_cast<size_t>(p.slow);
  const size_t sig = static_cast<size_t>(p.signal);
  const size_t lookback = (slow - 1) + (sig - 1);
  for (size_t i = 0; i < std::min(n, lookback); ++i) {
    macd_out[i] = kNaN;
    signal_out[i] = kNaN;
    hist_out[i] = kNaN;
  }
  uint64_t bad = 0;
  if (n <= lookback) {
    for (double v : x) bad |= kernel_util::NonFinite(v);
    return bad == 0;
  }
  double slow_sum = 0, fast_sum = 0;
  for (size_t i = 0; i < slow; ++i) {
    slow_sum += x[i];
    bad |= kernel_util::NonFinite(x[i]);
    if (i >= slow - fast) fast_sum += x[i];
  }
  const EmaWeights w_fast(p.fast), w_slow(p.slow), w_sig(p.signal);
  double fast_ema = fast_sum / static_cast<double>(p.fast);
  double slow_ema = slow_sum / static_cast<double>(p.slow);
  double macd = fast_ema - slow_ema;
  double sig_sum = macd;
  for (size_t i = slow; i <= lookback; ++i) {
    fast_ema = Core::Step(fast_ema, x[i], w_fast);
    slow_ema = Core::Step(slow_ema, x[i], w_slow);
    bad |= kernel_util::NonFinite(x[i]);
    macd = fast_ema - slow_ema;
    sig_sum += macd;
  }
  double signal = sig_sum / static_cast<double>(p.signal);
  macd_out[lookback] = macd;
  signal_out[lookback] = signal;
  hist_out[lookback] = macd - signal;
  for (size_t i = lookback + 1; i < n; ++i) {
    fast_ema = Core::Step(fast_ema, x[i], w_fast);
    slow_ema = Core::Step(slow_ema, x[i], w_slow);
    bad |= kernel_util::NonFinite(x[i]);
    macd = fast_ema - slow_ema;
    signal = Core::Step(signal, macd, w_sig);
    macd_out[i] = macd;
    signal_out[i] = signal;
    hist_out[i] = macd - signal;
  }
  return bad == 0;
}

MacdParams FromParams(std::span<const double> p) {
  return {kernel_util::Period(p[0]), kernel_util::Period(p[1]), kernel_util::Period(p[2])};
}

Status MacdBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                 std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(MacdInfo(), in, params, out));
  return Macd(in[0], FromParams(params), out[0], out[1], out[2]);
}

Status CheckMacdParams(MacdParams params) {
  return kernel_util::CheckParams(MacdInfo(), params.fast, params.slow, params.signal);
}

int MacdLookbackFn(std::span<const double> params) {
  if (!ValidateParams(MacdInfo(), params).ok()) return -1;
  return MacdLookback(FromParams(params));
}

std::unique_ptr<Stream> MacdStreamFn(std::span<const double> params) {
  if (!ValidateParams(MacdInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 3>(MacdStream::Create(FromParams(params)));
}

}  // namespace

int MacdLookback(MacdParams params) {
  if (!CheckMacdParams(params).ok()) return -1;
  return (std::max(params.fast, params.slow) - 1) + (params.signal - 1);
}

Status Macd(std::span<const double> in, MacdParams params, std::span<double> macd,
            std::span<double> signal, std::span<double> hist) {
  KAIROS_RETURN_IF_ERROR(CheckMacdParams(params));
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckLengths("macd", in.size(), {macd.size(), signal.size(), hist.size()}));
  MacdParams p = Normalized(params);
  const std::span<double> outs[] = {macd, signal, hist};
  kernel_util::ForEachFiniteRunFused(in, outs, [&](size_t b, size_t e) {
    return MacdRun(in.subspan(b, e - b), p, macd.data() + b, signal.data() + b, hist.data() + b);
  });
  return Status::Ok();
}

Result<MacdStream> MacdStream::Create(MacdParams params) {
  KAIROS_RETURN_IF_ERROR(CheckMacdParams(params));
  return MacdStream(params);
}

MacdStream::MacdStream(MacdParams params)
    : fast_(Normalized(params).fast),
      slow_(Normalized(params).slow),
      fast_ema_(fast_),
      slow_ema_(slow_),
      signal_ema_(params.signal),
      lookback_(MacdLookback(params)),
      macd_(kNaN),
      signal_(kNaN),
      hist_(kNaN) {}

void MacdStream::Update(double x) {
  ++seen_;
  macd_ = signal_ = hist_ = kNaN;
  if (!kernel_util::IsFinite(x)) {
    count_ = 0;
    fast_ema_.Reset();
    slow_ema_.Reset();
    signal_ema_.Reset();
    return;
  }
  ++count_;
  bool slow_ready = slow_ema_.Add(x);
  // The fast EMA starts `slow - fast` bars late so that it is seeded on the same last bar.
  if (count_ <= slow_ - fast_) return;
  fast_ema_.Add(x);
  if (!slow_ready) return;
  double macd = fast_ema_.value() - slow_ema_.value();
  if (!signal_ema_.Add(macd)) return;
  macd_ = macd;
  signal_ = signal_ema_.value();
  hist_ = macd - signal_;
}

double MacdStream::value(size_t index) const {
  KAIROS_CHECK(index < 3) << "macd has 3 outputs, asked for " << index;
  return index == 0 ? macd_ : index == 1 ? signal_ : hist_;
}

const IndicatorInfo& MacdInfo() {
  static const IndicatorInfo info{
      .name = "macd",
      .description = "Moving average convergence/divergence (TA-Lib alignment)",
      .inputs = {Input::kSeries},
      .params = {{"fast", 12, 2, 100000, true, "fast EMA period"},
                 {"slow", 26, 2, 100000, true, "slow EMA period"},
                 {"signal", 9, 1, 100000, true, "signal EMA period"}},
      .outputs = {"macd", "signal", "hist"},
      .lookback = MacdLookbackFn,
      .batch = MacdBatch,
      .stream = MacdStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
