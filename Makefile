# herd: the commands users type.  meson + ninja do the building.
#   make          build into build/
#   make check    every test (unit, integration, scheduler corpus)
#   make demo     a short tour of herd on this machine
#   make bench    speed and memory against the targets
#   make install  install herd (PREFIX, DESTDIR honoured)
PREFIX ?= /usr/local
BUILD ?= build
TESTBUILD ?= build-asan
FUZZBUILD ?= build-fuzz
PYTHON ?= /usr/bin/python3

.PHONY: all deps test-deps build check demo bench install clean fuzz

all: build

deps:
	@sh scripts/deps.sh build

test-deps:
	@sh scripts/deps.sh test

$(BUILD)/build.ninja:
	meson setup $(BUILD) --prefix=$(PREFIX)

$(TESTBUILD)/build.ninja:
	meson setup $(TESTBUILD) -Dsanitize_tests=true -Db_lundef=false

$(FUZZBUILD)/build.ninja:
	CC=clang meson setup $(FUZZBUILD) -Dfuzzing=true -Dwerror=false -Dsanitize_tests=true -Db_lundef=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

check: test-deps $(BUILD)/build.ninja $(TESTBUILD)/build.ninja $(FUZZBUILD)/build.ninja
	ninja -C $(BUILD)
	ninja -C $(TESTBUILD)
	ninja -C $(FUZZBUILD)
	$(PYTHON) scripts/run-tests.py --build $(BUILD) --test-build $(TESTBUILD) --fuzz-build $(FUZZBUILD)

demo: test-deps build
	sh scripts/demo.sh $(BUILD)

bench: test-deps build
	$(PYTHON) scripts/bench.py --build $(BUILD)

install: build
	meson install -C $(BUILD) $(if $(DESTDIR),--destdir $(DESTDIR))

clean:
	rm -rf $(BUILD) $(TESTBUILD) $(FUZZBUILD)
