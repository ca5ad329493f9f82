# vqsim as a PlanQK managed service (runtime "DOCKER").
#
# PlanQK's runtime interface: a one-shot container that reads /var/input/data.json and
# /var/input/params.json, prints its result to stdout and exits (0 = success).
#
#   docker build -t vqsim .
#   docker run --rm -v "$PWD/input:/var/input:ro" --network none --read-only vqsim
#
# Two stages: `build` compiles and runs the unit tests (a failing test fails the image
# build), `runtime` holds the stripped binary and only the shared libraries it links.

ARG BUILD_IMAGE=debian:bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------------------
FROM ${BUILD_IMAGE} AS build

ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake \
      libeigen3-dev nlohmann-json3-dev libspdlog-dev libnlopt-cxx-dev libspectra-dev \
      libhwy-dev libgtest-dev libgmock-dev libbenchmark-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .

# Release build for a generic x86-64 / arm64 CPU: the image runs on whatever node PlanQK
# schedules it on, so a host-tuned build (-march=native) is refused outright.
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DVQSIM_BUILD_BENCHMARKS=OFF \
 && if grep -rIl --include=flags.make --include=link.txt -e '-march=native' -e '-mtune=native' build; then \
      echo 'error: -march/-mtune=native in a shipped build' >&2; exit 1; \
    fi \
 && cmake --build build -j"$(nproc)"

# The unit tests gate the image; --no-tests=error catches a label that matches nothing.
RUN ctest --test-dir build -L unit --output-on-failure --no-tests=error -j"$(nproc)"

# Stage the runtime payload: the stripped binary, and the Debian packages that own the
# shared libraries it links (read from ldd, so a new dependency cannot be forgotten).
RUN mkdir -p /out \
 && install -m 0755 -s build/vqsim /out/vqsim \
 && ldd /out/vqsim | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u > /out/libs.txt \
 && while read -r lib; do \
      dpkg -S "$lib" 2>/dev/null || dpkg -S "$(realpath "$lib")" 2>/dev/null \
        || dpkg -S "*/$(basename "$lib")" 2>/dev/null \
        || { echo "error: no Debian package owns $lib" >&2; exit 1; }; \
    done < /out/libs.txt > /out/owners.txt \
 && cut -d: -f1 /out/owners.txt | sort -u > /out/runtime-packages.txt \
 && echo 'runtime packages:' && cat /out/runtime-packages.txt

# ---------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime

ARG DEBIAN_FRONTEND=noninteractive
COPY --from=build /out/runtime-packages.txt /tmp/runtime-packages.txt
RUN apt-get update \
 && xargs -a /tmp/runtime-packages.txt apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log /tmp/runtime-packages.txt

COPY --from=build /out/vqsim /usr/local/bin/vqsim

# Fail the image build if any shared library did not make it; then add an unprivileged
# user (written directly: minimal base images need not ship useradd).
RUN if ldd /usr/local/bin/vqsim | grep 'not found'; then exit 1; fi \
 && echo 'vqsim:x:10001:10001:vqsim:/nonexistent:/usr/sbin/nologin' >> /etc/passwd \
 && echo 'vqsim:x:10001:' >> /etc/group \
 && mkdir -p /var/input

# libgomp sizes its thread pool from the host's cores, not the container's CPU quota:
# default to the cores planqk.json requests (override with `docker run -e OMP_NUM_THREADS=N`).
ENV OMP_NUM_THREADS=2

LABEL org.opencontainers.image.title="vqsim" \
      org.opencontainers.image.description="State-vector quantum simulator running VQE as a PlanQK managed service"

# Nothing is written at run time: the container works with --read-only and a read-only
# /var/input, and needs no network.
USER 10001:10001
WORKDIR /
ENTRYPOINT ["/usr/local/bin/vqsim"]
