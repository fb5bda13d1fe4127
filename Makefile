# The two commands of the README, plus extras. Build type for day-to-day work and tests is
# RelWithDebInfo; bench/ builds its own Release tree.
BUILD_DIR ?= build
JOBS ?= 2

.PHONY: all build run test bench bench-vault bench-realtime clean deps

all: build

deps:
	bash scripts/install-deps

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja

build: $(BUILD_DIR)/build.ninja
	ninja -C $(BUILD_DIR) -j$(JOBS) gatehouse

# Build and start the server on 127.0.0.1:8080 with SQLite in ./data.
run: deps build
	./$(BUILD_DIR)/gatehouse serve --listen 127.0.0.1:8080 --data-dir ./data

# Build and run every test (unit and API, on SQLite and a throw-away PostgreSQL).
test: deps
	bash scripts/test

bench:
	python3 bench/run

# Vault secure reads against /health (writes its own section of docs/benchmarks.md).
bench-vault:
	python3 bench/vault

# WebSocket benchmarks: idle connections per node and role-change fan-out. 50,000 sockets in
# one process need an open-file hard limit above that (raising it needs CAP_SYS_RESOURCE).
bench-realtime:
	python3 bench/realtime/run

clean:
	rm -rf $(BUILD_DIR)
