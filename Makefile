# The front door. `make run` serves on SQLite with demo data; `make test` runs every test on
# SQLite and PostgreSQL. See README.md.
.PHONY: run build test fuzz bench soak format clean


run: build
	./build/release/src/coffee-api seed --demo
	./build/release/src/coffee-api serve

build:
	scripts/install-deps
	cmake --preset release >/dev/null
	cmake --build --preset release

test:
	scripts/run-tests

# Each libFuzzer target for FUZZ_SECONDS (default 60); corpus in tests/fuzz-corpus/.
fuzz:
	scripts/install-deps test
	scripts/fuzz

bench:
	scripts/install-deps bench
	bench/run

# Five minutes of mixed load at half capacity: errors, RSS growth, fd leaks (bench/README.md).
soak:
	scripts/install-deps bench
	bench/soak

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
