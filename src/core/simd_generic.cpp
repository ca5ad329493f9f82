// The SIMD kernels compiled for generic (flags set per file in src/CMakeLists.txt).
#define VQSIM_ISA generic
#define VQSIM_ISA_NAME "baseline"
#define VQSIM_VECTOR_BYTES 16
#include "core/simd_impl.inc"
