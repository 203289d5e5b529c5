#!/usr/bin/env bash
# Runs every fault test (tests/faults/t_*.sh) the way the end-to-end tests
# run, and closes with "faults: N passed, N failed"; FAULTS_ONLY=name runs
# the matching ones.
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../e2e/run.sh" "$here" faults FAULTS_ONLY
