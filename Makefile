# kairos: the two commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
JOBS ?= $(shell nproc)
KAIROS ?= build/release/kairos
FUZZ_SECONDS ?= 60

# Debian packages the build, the tests and the demo need. `make deps` installs the missing ones.
DEPS := build-essential cmake g++ clang libclang-rt-14-dev git ca-certificates tzdata \
        libfmt-dev libspdlog-dev libhowardhinnant-date-dev libcli11-dev nlohmann-json3-dev \
        libtomlplusplus-dev libsqlite3-dev libgtest-dev libgmock-dev libbenchmark-dev \
        libjemalloc-dev libcurl4-openssl-dev curl lld libboost1.81-dev libsodium-dev libssl-dev python3
# Only the benchmarks need these (pandas is the peer; npm fetches TA-Lib's source for the peer:
# Debian's npm is installed only when no npm is on the PATH, since a Node.js install from
# elsewhere conflicts with it).
BENCH_DEPS := python3 python3-pandas wrk nginx-light $(shell command -v npm >/dev/null || echo nodejs npm)

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps bench-deps build asan fuzz test test-release test-asan test-fuzz check-layering \
        bench demo format clean

all: build

define install_missing
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing packages: $$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all $(words $(1)) packages present"; fi
endef

deps:
	$(call install_missing,$(DEPS))

bench-deps: deps
	$(call install_missing,$(BENCH_DEPS))

build:
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

asan:
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)

fuzz:
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS) --target fuzzers

check-layering:
	tools/check_layering.sh

test-release: build
	set -o pipefail; ctest --preset release -j $(JOBS) | tee build/ctest-release.log

test-asan: asan
	set -o pipefail; ctest --preset asan -j $(JOBS) | tee build/ctest-asan.log

# Each libFuzzer target runs briefly on its committed seed corpus (copied, so runs don't dirty it).
# The asan build has them (clang, every library instrumented), so `make test` compiles the code
# twice, not three times; `make fuzz` builds them at -O2 for long runs (tools/run_fuzzers.sh).
test-fuzz: asan
	FUZZ_JOBS=$(JOBS) tools/run_fuzzers.sh build/asan $(FUZZ_SECONDS)

test: deps check-layering test-release test-asan test-fuzz
	@echo "make test: release, asan+ubsan, fuzz and layering all passed"
	@total=$$(cat build/ctest-release.log build/ctest-asan.log | \
	  sed -nE 's/.*tests passed, ([0-9]+) tests failed out of ([0-9]+).*/\2/p' | awk '{s += $$1} END {print s + 0}'); \
	echo "tests: $$total passed, 0 failed"

bench: bench-deps
	bench/run_all.sh

demo: deps build
	tools/demo.sh $(KAIROS)

format:
	find src bench tests -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf build
