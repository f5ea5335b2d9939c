# Thin wrapper around CMake. Every target installs what it needs first.
#   make demo       set up, build, label the bundled sample footage with deepbug-stream
#   make test       set up, build, run the whole test suite
#   make test-asan  the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make deps       install the Debian packages (idempotent, silent when present)
#   make build      configure and build into build/

BUILD_DIR   ?= build
ASAN_DIR    ?= build-asan
BUILD_TYPE  ?= Release
JOBS        ?= $(shell nproc)
CMAKE_FLAGS ?=

# Runtime and build dependencies, all Debian bookworm packages.
PACKAGES := \
  build-essential cmake ninja-build pkg-config clang-format \
  libtorch-dev libopenblas0-openmp \
  libtbb-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev \
  libcpp-httplib-dev \
  libopencv-dev opencv-doc \
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstrtspserver-1.0-dev \
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav \
  libgtest-dev libgmock-dev libbenchmark-dev \
  python3 python3-torch python3-torchvision \
  chromium nodejs

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

DEMO_DIR := $(BUILD_DIR)/demo

.PHONY: deps build test test-asan demo format clean

deps:
	@missing=$$(dpkg-query -W -f='$${Package} $${Status}\n' $(PACKAGES) 2>/dev/null \
	    | awk '$$NF == "installed" {print $$1}' | sort > .deps-present; \
	  for p in $(PACKAGES); do grep -qx "$$p" .deps-present || echo $$p; done); \
	rm -f .deps-present; \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@# The browser checks' Node packages (tests/browser: playwright-core, which drives the
	@# chromium above and downloads no browser), when missing or older than the lock file.
	@# npm: Debian's package unless a Node distribution brought its own.
	@if [ ! -f tests/browser/node_modules/.package-lock.json ] || \
	    [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then \
	  command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    --no-install-recommends npm >/dev/null; \
	  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error >/dev/null; \
	fi
	@# The monitoring page's Node packages (web: React, Vite), the same way.
	@if [ ! -f web/node_modules/.package-lock.json ] || \
	    [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then \
	  command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    --no-install-recommends npm >/dev/null; \
	  npm ci --prefix web --no-audit --no-fund --loglevel=error >/dev/null; \
	fi

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

# The sanitizer settings apply to the build too: test discovery runs the test binaries.
SANITIZER_ENV := ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp:print_suppressions=0

test-asan: deps
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEEPBUG_SANITIZE=ON $(CMAKE_FLAGS)
	$(SANITIZER_ENV) cmake --build $(ASAN_DIR) -j $(JOBS)
	$(SANITIZER_ENV) ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS)

demo: build
	@tools/demo.sh $(BUILD_DIR)

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
