#!/bin/bash -eu
# usage: build.sh   (run by `compile` in OSS-Fuzz's base-builder image, for
#                   OSS-Fuzz and ClusterFuzzLite alike; locally by
#                   scripts/oss-fuzz-check)
#
# Builds every ebsfuzz fuzz target into $OUT and, beside each, the files the
# runners pick up by name: <target>_seed_corpus.zip (the scenario seeds,
# encoded now, and the regressions), <target>.dict, <target>.options.
#
# It takes everything from the environment `compile` sets up: CC, CXX,
# CFLAGS and CXXFLAGS (which carry the sanitizer and coverage flags of
# $SANITIZER), LIB_FUZZING_ENGINE (the engine of $FUZZING_ENGINE), SRC (the
# sources are in $SRC/ebsfuzz), OUT and WORK (intermediate files).  With
# FUZZING_ENGINE=none the targets get the replay driver (fuzz/replay.c) as
# their main, so they run inputs without an engine.
#
# A loader project fuzzing its own exit-boot code keeps ebsfuzz in its tree
# and runs this script with EBSFUZZ_DIR (where ebsfuzz is, default
# $SRC/ebsfuzz), OSSFUZZ_LOADER (a name: the target is fuzz_<name>),
# OSSFUZZ_LOADER_SRC (absolute paths of its sources) and LOADER_CFLAGS
# (scripts/oss-fuzz/README.md).
#
# This is the one build script: .clusterfuzzlite/Dockerfile copies it to
# $SRC/build.sh; OSS-Fuzz's projects/ebsfuzz/build.sh (scripts/oss-fuzz/)
# runs it from the clone, so the build changes with the code.

cd "${EBSFUZZ_DIR:-$SRC/ebsfuzz}"
build=$WORK/ebsfuzz
jobs=$(nproc)
echo "ebsfuzz: engine ${FUZZING_ENGINE:-libfuzzer}, sanitizer ${SANITIZER:-address}"

# The scenario tool encodes the seeds.  It is a build tool, not a target:
# no CFLAGS (no sanitizer, no coverage), and AFL_NOOPT makes afl-clang-fast
# a plain compiler.
(
	unset CFLAGS CXXFLAGS
	AFL_NOOPT=1 make -j"$jobs" BUILD="$build" GCC="$CC" seeds
)

engine=$LIB_FUZZING_ENGINE
if [ "${FUZZING_ENGINE:-}" = none ]; then
	engine=$build/ossfuzz/fuzz/replay.o
	make -j"$jobs" BUILD="$build" CC="$CC" CFLAGS="$CFLAGS" "$engine"
fi
make -j"$jobs" BUILD="$build" GCC="$CC" CC="$CC" CXX="$CXX" CFLAGS="$CFLAGS" \
	CXXFLAGS="$CXXFLAGS" LIB_FUZZING_ENGINE="$engine" OUT="$OUT" oss-fuzz
