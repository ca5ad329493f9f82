// The floating-point type a run keeps its state vectors in: double (the default) or float, which
// halves memory and memory traffic at ~1e-7 relative accuracy. Results stay doubles either way.
#pragma once

#include <string_view>
#include <utility>

namespace vqsim::circuit {

enum class Precision { Double, Single };

constexpr std::string_view precision_name(Precision p) {
  return p == Precision::Single ? "single" : "double";
}

// Bytes of one amplitude: std::complex<double> or std::complex<float>.
constexpr unsigned amplitude_bytes(Precision p) {
  return p == Precision::Single ? 8 : 16;
}

// The one place a run turns the setting into a type: calls f(Real{}) with Real = float or double,
// so the caller writes its body once as a generic lambda (`using Real = decltype(zero);`).
template <class F>
decltype(auto) with_precision(Precision p, F&& f) {
  if (p == Precision::Single) return std::forward<F>(f)(float{});
  return std::forward<F>(f)(double{});
}

}  // namespace vqsim::circuit
