// The SIMD kernels compiled for avx2 (flags set per file in src/CMakeLists.txt).
#define VQSIM_ISA avx2
#define VQSIM_ISA_NAME "avx2"
#define VQSIM_VECTOR_BYTES 32
#include "core/simd_impl.inc"
