#include "rules/evaluator_kernels.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kairos::rules::eval {
namespace {

inline double Finite(double r) { return std::fabs(r) < kInf ? r : kNaN; }
inline bool IsFinite(double x) { return std::fabs(x) < kInf; }

// The loops are written with the scalar/series choice hoisted out (a template per case), so each
// one is a straight loop the compiler vectorises.
template <bool kScalarA, bool kScalarB, typename F>
void ArithmeticLoop(NumArg a, NumArg b, std::span<double> out, F f) {
  const size_t n = out.size();
  double* o = out.data();
  for (size_t i = 0; i < n; ++i) {
    const double x = kScalarA ? a.constant : a.data[i];
    const double y = kScalarB ? b.constant : b.data[i];
    o[i] = Finite(f(x, y));
  }
}

template <typename F>
void ArithmeticDispatch(NumArg a, NumArg b, std::span<double> out, F f) {
  if (a.data && b.data) return ArithmeticLoop<false, false>(a, b, out, f);
  if (a.data) return ArithmeticLoop<false, true>(a, b, out, f);
  if (b.data) return ArithmeticLoop<true, false>(a, b, out, f);
  ArithmeticLoop<true, true>(a, b, out, f);
}

template <bool kScalarA, bool kScalarB, typename F>
void CompareScalar(NumArg a, NumArg b, size_t from, std::span<uint8_t> out, F f) {
  const size_t n = out.size();
  uint8_t* o = out.data();
  for (size_t i = from; i < n; ++i) {
    const double x = kScalarA ? a.constant : a.data[i];
    const double y = kScalarB ? b.constant : b.data[i];
    const bool defined = IsFinite(x) & IsFinite(y);
    o[i] = defined ? static_cast<uint8_t>(f(x, y) ? kTrue : kFalse) : kNone;
  }
}

#if defined(__SSE2__)
// Byte j of kSpread[bits] is bit j of `bits`: eight comparison bits to eight 0/1 bytes.
constexpr std::array<uint64_t, 256> MakeSpread() {
  std::array<uint64_t, 256> table{};
  for (uint64_t bits = 0; bits < 256; ++bits) {
    for (uint64_t j = 0; j < 8; ++j) table[bits] |= ((bits >> j) & 1) << (8 * j);
  }
  return table;
}
constexpr std::array<uint64_t, 256> kSpread = MakeSpread();

inline __m128d CmpSse(BinaryOp op, __m128d x, __m128d y) {
  switch (op) {
    case BinaryOp::kLess:
      return _mm_cmplt_pd(x, y);
    case BinaryOp::kLessEqual:
      return _mm_cmple_pd(x, y);
    case BinaryOp::kGreater:
      return _mm_cmpgt_pd(x, y);
    case BinaryOp::kGreaterEqual:
      return _mm_cmpge_pd(x, y);
    case BinaryOp::kEqual:
      return _mm_cmpeq_pd(x, y);
    default:
      return _mm_cmpneq_pd(x, y);
  }
}
#endif

// Compilers do not vectorise a double comparison that stores bytes, and the scalar loop
// mispredicts on noisy data: eight bars at a time with SSE2, finished by the scalar loop.
template <bool kScalarA, bool kScalarB, BinaryOp kOp, typename F>
void CompareLoop(NumArg a, NumArg b, std::span<uint8_t> out, F f) {
  size_t i = 0;
#if defined(__SSE2__)
  const size_t n = out.size();
  const __m128d abs_mask = _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffffLL));
  const __m128d inf = _mm_set1_pd(kInf);
  const __m128d ca = _mm_set1_pd(a.constant);
  const __m128d cb = _mm_set1_pd(b.constant);
  for (; i + 8 <= n; i += 8) {
    unsigned holds = 0;
    unsigned defined = 0;
    for (size_t k = 0; k < 4; ++k) {
      const __m128d x = kScalarA ? ca : _mm_loadu_pd(a.data + i + 2 * k);
      const __m128d y = kScalarB ? cb : _mm_loadu_pd(b.data + i + 2 * k);
      const __m128d finite = _mm_and_pd(_mm_cmplt_pd(_mm_and_pd(x, abs_mask), inf),
                                        _mm_cmplt_pd(_mm_and_pd(y, abs_mask), inf));
      holds |= static_cast<unsigned>(_mm_movemask_pd(CmpSse(kOp, x, y))) << (2 * k);
      defined |= static_cast<unsigned>(_mm_movemask_pd(finite)) << (2 * k);
    }
    // true = 2, false = 0, none = 1, per byte.
    const uint64_t bytes = (kSpread[holds & defined] << 1) | kSpread[~defined & 0xffu];
    std::memcpy(out.data() + i, &bytes, sizeof bytes);
  }
#endif
  CompareScalar<kScalarA, kScalarB>(a, b, i, out, f);
}

template <BinaryOp kOp, typename F>
void CompareDispatch(NumArg a, NumArg b, std::span<uint8_t> out, F f) {
  if (a.data && b.data) return CompareLoop<false, false, kOp>(a, b, out, f);
  if (a.data) return CompareLoop<false, true, kOp>(a, b, out, f);
  if (b.data) return CompareLoop<true, false, kOp>(a, b, out, f);
  CompareLoop<true, true, kOp>(a, b, out, f);
}

}  // namespace

void Arithmetic(BinaryOp op, NumArg a, NumArg b, std::span<double> out) {
  switch (op) {
    case BinaryOp::kAdd:
      return ArithmeticDispatch(a, b, out, std::plus<>());
    case BinaryOp::kSubtract:
      return ArithmeticDispatch(a, b, out, std::minus<>());
    case BinaryOp::kMultiply:
      return ArithmeticDispatch(a, b, out, std::multiplies<>());
    default:
      return ArithmeticDispatch(a, b, out, std::divides<>());
  }
}

void Compare(BinaryOp op, NumArg a, NumArg b, std::span<uint8_t> out) {
  switch (op) {
    case BinaryOp::kLess:
      return CompareDispatch<BinaryOp::kLess>(a, b, out, std::less<>());
    case BinaryOp::kLessEqual:
      return CompareDispatch<BinaryOp::kLessEqual>(a, b, out, std::less_equal<>());
    case BinaryOp::kGreater:
      return CompareDispatch<BinaryOp::kGreater>(a, b, out, std::greater<>());
    case BinaryOp::kGreaterEqual:
      return CompareDispatch<BinaryOp::kGreaterEqual>(a, b, out, std::greater_equal<>());
    case BinaryOp::kEqual:
      return CompareDispatch<BinaryOp::kEqual>(a, b, out, std::equal_to<>());
    default:
      return CompareDispatch<BinaryOp::kNotEqual>(a, b, out, std::not_equal_to<>());
  }
}

void Logic(BinaryOp op, const uint8_t* a, const uint8_t* b, std::span<uint8_t> out) {
  const size_t n = out.size();
  uint8_t* o = out.data();
  switch (op) {
    case BinaryOp::kAnd:
      for (size_t i = 0; i < n; ++i) o[i] = std::min(a[i], b[i]);
      return;
    case BinaryOp::kOr:
      for (size_t i = 0; i < n; ++i) o[i] = std::max(a[i], b[i]);
      return;
    default: {
      const bool equal = op == BinaryOp::kEqual;
      for (size_t i = 0; i < n; ++i) {
        const bool none = (a[i] == kNone) | (b[i] == kNone);
        const bool same = a[i] == b[i];
        o[i] = none ? kNone : (same == equal ? kTrue : kFalse);
      }
      return;
    }
  }
}

void Negate(const double* x, std::span<double> out) {
  for (size_t i = 0; i < out.size(); ++i) out[i] = Finite(-x[i]);
}

void Not(const uint8_t* x, std::span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(kTrue - x[i]);
}

void Fill(double value, std::span<double> out) { std::fill(out.begin(), out.end(), value); }

void ShiftNumber(const double* x, int n, std::span<double> out) {
  const size_t size = out.size();
  const size_t k = std::min(size, static_cast<size_t>(n));
  std::fill(out.begin(), out.begin() + static_cast<ptrdiff_t>(k), kNaN);
  std::copy(x, x + (size - k), out.begin() + static_cast<ptrdiff_t>(k));
}

void ShiftBool(const uint8_t* x, int n, std::span<uint8_t> out) {
  const size_t size = out.size();
  const size_t k = std::min(size, static_cast<size_t>(n));
  std::fill(out.begin(), out.begin() + static_cast<ptrdiff_t>(k), kNone);
  std::copy(x, x + (size - k), out.begin() + static_cast<ptrdiff_t>(k));
}

void Derived(Field field, const BarColumns& bars, std::span<double> out) {
  const size_t n = out.size();
  const double* o = bars.open.data();
  const double* h = bars.high.data();
  const double* l = bars.low.data();
  const double* c = bars.close.data();
  const double* v = bars.volume.data();
  switch (field) {
    case Field::kHl2:
      for (size_t i = 0; i < n; ++i) out[i] = Finite((h[i] + l[i]) * 0.5);
      return;
    case Field::kHlc3:
      for (size_t i = 0; i < n; ++i) out[i] = Finite((h[i] + l[i] + c[i]) / 3.0);
      return;
    case Field::kOhlc4:
      for (size_t i = 0; i < n; ++i) out[i] = Finite((o[i] + h[i] + l[i] + c[i]) * 0.25);
      return;
    default:  // kTurnover
      for (size_t i = 0; i < n; ++i) out[i] = Finite(c[i] * v[i]);
      return;
  }
}

void CrossOver(bool over, const double* a, const double* b, std::span<uint8_t> out) {
  const size_t n = out.size();
  if (n == 0) return;
  out[0] = kNone;
  for (size_t i = 1; i < n; ++i) {
    const bool defined = IsFinite(a[i]) & IsFinite(b[i]) & IsFinite(a[i - 1]) & IsFinite(b[i - 1]);
    const bool cross =
        over ? (a[i] > b[i]) & (a[i - 1] <= b[i - 1]) : (a[i] < b[i]) & (a[i - 1] >= b[i - 1]);
    out[i] = defined ? (cross ? kTrue : kFalse) : kNone;
  }
}

void FiniteCopy(const double* x, std::span<double> out) {
  for (size_t i = 0; i < out.size(); ++i) out[i] = Finite(x[i]);
}

void Change(bool percent, const double* x, int n, std::span<double> out) {
  const size_t size = out.size();
  const size_t k = std::min(size, static_cast<size_t>(n));
  std::fill(out.begin(), out.begin() + static_cast<ptrdiff_t>(k), kNaN);
  if (percent) {
    for (size_t i = k; i < size; ++i) out[i] = Finite(100.0 * (x[i] - x[i - k]) / x[i - k]);
  } else {
    for (size_t i = k; i < size; ++i) out[i] = Finite(x[i] - x[i - k]);
  }
}

void Abs(const double* x, std::span<double> out) {
  for (size_t i = 0; i < out.size(); ++i) out[i] = Finite(std::fabs(x[i]));
}

void MinMax(bool max, const double* a, const double* b, std::span<double> out) {
  for (size_t i = 0; i < out.size(); ++i) {
    const double x = a[i];
    const double y = b[i];
    const double r = max ? (x > y ? x : y) : (x < y ? x : y);
    out[i] = IsFinite(x) & IsFinite(y) ? r : kNaN;
  }
}

void Count(const uint8_t* cond, int n, std::span<double> out) {
  const size_t size = out.size();
  const size_t w = static_cast<size_t>(n);
  int64_t trues = 0;
  int64_t nones = 0;
  for (size_t i = 0; i < size; ++i) {
    trues += cond[i] == kTrue;
    nones += cond[i] == kNone;
    if (i >= w) {
      trues -= cond[i - w] == kTrue;
      nones -= cond[i - w] == kNone;
    }
    // Bars before the series began are unknown, like a none inside the window.
    out[i] = (i + 1 >= w && nones == 0) ? static_cast<double>(trues) : kNaN;
  }
}

void BarsSince(const uint8_t* cond, std::span<double> out) {
  int64_t last_true = -1;
  bool none_since = false;  // a none after the last true: it might have been true
  for (size_t i = 0; i < out.size(); ++i) {
    if (cond[i] == kTrue) {
      last_true = static_cast<int64_t>(i);
      none_since = false;
    } else if (cond[i] == kNone) {
      none_since = true;
    }
    out[i] = (last_true >= 0 && !none_since)
                 ? static_cast<double>(static_cast<int64_t>(i) - last_true)
                 : kNaN;
  }
}

void Rising(bool rising, const double* x, int n, std::span<uint8_t> out) {
  const int64_t need = n;
  int64_t defined_run = 0;  // consecutive finite bars ending here
  int64_t moving_run = 0;   // consecutive bars ending here that rose (fell) from the one before
  for (size_t i = 0; i < out.size(); ++i) {
    if (!IsFinite(x[i])) {
      defined_run = 0;
      moving_run = 0;
      out[i] = kNone;
      continue;
    }
    const bool moved = defined_run > 0 && (rising ? x[i] > x[i - 1] : x[i] < x[i - 1]);
    ++defined_run;
    moving_run = moved ? moving_run + 1 : 0;
    out[i] = defined_run > need ? (moving_run >= need ? kTrue : kFalse) : kNone;
  }
}

void Extreme(bool highest, const double* x, int n, std::vector<size_t>& queue,
             std::span<double> out) {
  const size_t size = out.size();
  const size_t w = static_cast<size_t>(n);
  queue.resize(size);  // each bar enters once: [head, tail) never passes the end
  size_t head = 0;
  size_t tail = 0;
  size_t clean_from = 0;  // the first bar after the last non-finite one
  for (size_t i = 0; i < size; ++i) {
    const double v = x[i];
    if (!IsFinite(v)) {
      clean_from = i + 1;
      head = tail;  // every window holding an earlier bar holds this one too
      out[i] = kNaN;
      continue;
    }
    // Keep the queue's values strictly improving from the back: a bar no better than a newer
    // one can never be the extreme again.
    while (tail > head && (highest ? x[queue[tail - 1]] <= v : x[queue[tail - 1]] >= v)) --tail;
    queue[tail++] = i;
    if (queue[head] + w <= i) ++head;
    out[i] = (i + 1 >= w && i + 1 - w >= clean_from) ? x[queue[head]] : kNaN;
  }
}

void Median(const double* x, int n, std::vector<double>& sorted, std::span<double> out) {
  const size_t w = static_cast<size_t>(n);
  sorted.clear();
  size_t run = 0;  // consecutive finite bars ending here; `sorted` holds the last min(run, w)
  for (size_t i = 0; i < out.size(); ++i) {
    if (!IsFinite(x[i])) {
      sorted.clear();
      run = 0;
      out[i] = kNaN;
      continue;
    }
    if (run >= w) {
      // The bar leaving the window is x[i - w] (finite: it is inside the run).
      auto it = std::lower_bound(sorted.begin(), sorted.end(), x[i - w]);
      sorted.erase(it);
    }
    sorted.insert(std::upper_bound(sorted.begin(), sorted.end(), x[i]), x[i]);
    ++run;
    if (run < w) {
      out[i] = kNaN;
    } else {
      out[i] = w % 2 == 1 ? sorted[w / 2] : 0.5 * (sorted[w / 2 - 1] + sorted[w / 2]);
    }
  }
}

}  // namespace kairos::rules::eval
