// The SIMD kernels compiled for avx512 (flags set per file in src/CMakeLists.txt).
#define VQSIM_ISA avx512
#define VQSIM_ISA_NAME "avx512"
#define VQSIM_VECTOR_BYTES 64
#include "core/simd_impl.inc"
