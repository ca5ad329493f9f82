// Replays every input kept in tests/fuzz_regressions/<harness>/ through the same entry function
// the fuzzer ran (fuzz/fuzz_targets.hpp): each must be accepted or rejected with its documented
// exception. A broken invariant aborts, which fails the test as the crash it is.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "../fuzz/fuzz_targets.hpp"

namespace {

namespace fs = std::filesystem;

fs::path regressions_dir() {
  return fs::path(VQSIM_TEST_DATA_DIR).parent_path() / "fuzz_regressions";
}

#if defined(__SANITIZE_ADDRESS__)
#define VQSIM_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VQSIM_UNDER_ASAN 1
#endif
#endif

// Caps the address space while replaying, so an input that once made the service allocate
// without bound fails with std::bad_alloc instead of swapping the machine. Not under ASan, whose
// shadow memory needs terabytes of address space (scripts/sanitize sets hard_rss_limit_mb).
class AddressSpaceCap {
 public:
  explicit AddressSpaceCap(rlim_t bytes) {
#ifndef VQSIM_UNDER_ASAN
    if (getrlimit(RLIMIT_AS, &saved_) == 0 && (saved_.rlim_cur == RLIM_INFINITY || saved_.rlim_cur > bytes)) {
      rlimit capped = saved_;
      capped.rlim_cur = bytes;
      active_ = setrlimit(RLIMIT_AS, &capped) == 0;
    }
#else
    (void)bytes;
#endif
  }
  ~AddressSpaceCap() {
    if (active_) setrlimit(RLIMIT_AS, &saved_);
  }
  AddressSpaceCap(const AddressSpaceCap&) = delete;
  AddressSpaceCap& operator=(const AddressSpaceCap&) = delete;

 private:
  rlimit saved_{};
  bool active_ = false;
};

using Entry = std::function<void(std::string_view)>;

const std::map<std::string, Entry>& harnesses() {
  static const std::map<std::string, Entry> all = [] {
    std::map<std::string, Entry> table{{"fuzz_job", vqsim::fuzz::run_job},
                                       {"fuzz_expression", vqsim::fuzz::run_expression},
                                       {"fuzz_pauli_label", vqsim::fuzz::run_pauli_label}};
#if VQSIM_FUZZ_HAS_QASM
    table.emplace("fuzz_qasm", vqsim::fuzz::run_qasm);
#endif
    return table;
  }();
  return all;
}

// The kept inputs of one harness, sorted; documentation and hidden files are not inputs.
std::vector<fs::path> inputs_of(const std::string& harness) {
  std::vector<fs::path> files;
  const fs::path dir = regressions_dir() / harness;
  if (!fs::is_directory(dir)) return files;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name.starts_with(".") || e.path().extension() == ".md") continue;
    files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void replay(const std::string& harness) {
  const auto it = harnesses().find(harness);
  if (it == harnesses().end()) GTEST_SKIP() << harness << " is not built (module missing)";
  const AddressSpaceCap cap(rlim_t{2} << 30);  // as scripts/fuzz: -rss_limit_mb=2048
  for (const auto& file : inputs_of(harness)) {
    SCOPED_TRACE(file.string());
    const std::string bytes = read_bytes(file);
    EXPECT_NO_THROW(it->second(bytes));
  }
}

TEST(FuzzRegressions, FolderExistsAndNamesOnlyKnownHarnesses) {
  ASSERT_TRUE(fs::is_directory(regressions_dir())) << regressions_dir();
  for (const auto& e : fs::directory_iterator(regressions_dir())) {
    if (!e.is_directory()) continue;
    const std::string name = e.path().filename().string();
    EXPECT_TRUE(name == "fuzz_job" || name == "fuzz_expression" || name == "fuzz_pauli_label" ||
                name == "fuzz_qasm")
        << "unknown harness folder " << e.path();
  }
}

TEST(FuzzRegressions, Job) {
  replay("fuzz_job");
}
TEST(FuzzRegressions, Expression) {
  replay("fuzz_expression");
}
TEST(FuzzRegressions, PauliLabel) {
  replay("fuzz_pauli_label");
}
TEST(FuzzRegressions, Qasm) {
  replay("fuzz_qasm");
}

}  // namespace
