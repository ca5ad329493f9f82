// The service's error catalogue: every failure the user can see is a ServiceError with a code,
// a detail that names the JSON path and the offending value, and an exit code.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace vqsim::io {

enum class ErrorCode { InvalidInput, ResourceLimit, InternalError, Cancelled };

inline std::string_view code_name(ErrorCode c) {
  switch (c) {
    case ErrorCode::InvalidInput: return "INVALID_INPUT";
    case ErrorCode::ResourceLimit: return "RESOURCE_LIMIT";
    case ErrorCode::Cancelled: return "CANCELLED";
    default: return "INTERNAL_ERROR";
  }
}

inline int exit_code(ErrorCode c) {
  switch (c) {
    case ErrorCode::InvalidInput: return 2;
    case ErrorCode::ResourceLimit: return 3;
    case ErrorCode::Cancelled: return 4;
    default: return 1;
  }
}

class ServiceError : public std::runtime_error {
 public:
  ServiceError(ErrorCode code, const std::string& detail) : std::runtime_error(detail), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// "path: message", e.g. "data.circuit.gates[3].qubits[1]: qubit 7 is out of range for 4 qubits".
class InputError : public ServiceError {
 public:
  InputError(const std::string& path, const std::string& message)
      : ServiceError(ErrorCode::InvalidInput, path.empty() ? message : path + ": " + message) {}
};

}  // namespace vqsim::io
