#!/usr/bin/env bash
# The test command (`npm test`): makes sure what the tests need is installed, builds, verifies the
# generated code is up to date, type-checks everything, runs the whole vitest suite, and ends with
# one line `N passed, N failed`. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the tests use: the real Apache Thrift compiler and Python library (oracle and
# interop tests), etcd (discovery tests) and Chromium (the admin status page, driven by
# playwright-core at /usr/bin/chromium). Installed from Debian when running as root; otherwise
# we say what to install.
missing=()
command -v thrift >/dev/null 2>&1 || missing+=(thrift-compiler)
/usr/bin/python3 -c 'import thrift' >/dev/null 2>&1 || missing+=(python3-thrift)
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing ${missing[*]} from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "test: missing system packages: ${missing[*]}" >&2
    echo "test: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

[ -d node_modules ] || npm install --no-audit --no-fund
npm run --silent build
npm run --silent typecheck
npm run --silent gen:check

results=.vitest-results.json
rm -f "$results"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
if [ -f "$results" ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    // A test file that fails to load has no test results of its own: count it as one failure.
    const brokenFiles = r.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests + brokenFiles} failed` + (skipped ? `, ${skipped} skipped` : ""));
  ' "$results"
else
  echo "0 passed, 1 failed"
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
