#!/bin/bash -eu
# usage: build.sh   (OSS-Fuzz's projects/ebsfuzz/build.sh, run by `compile`)
#
# The build itself lives in the ebsfuzz repository, beside the code it
# builds, and is the same for ClusterFuzzLite: run it from the clone the
# Dockerfile made.
exec bash -eux "$SRC/ebsfuzz/.clusterfuzzlite/build.sh"
