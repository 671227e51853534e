#!/usr/bin/env bash
# End-to-end tests in a real VS Code: installs what they need (.ci/setup-e2e.sh), builds the extension and
# the in-editor suite, then runs the suite
#   1. in desktop VS Code via @vscode/test-electron, where one is available (skips itself otherwise),
#   2. in code-server with the extension loaded from this folder (headless Chromium),
#   3. in code-server, development folder opened untrusted (Restricted Mode: running is refused),
#   4. in code-server with the packaged .vsix installed (--install-extension),
#   5. the newcomer's path: `npm start` (.ci/start.mjs), then the demo script run from the browser.
# Exits non-zero if any run fails; all runs are attempted so one report shows every failure.
set -uo pipefail
cd "$(dirname "$0")/.."

step() { echo; echo "=== e2e: $* ==="; }
failed=()

step "setup"
bash .ci/setup-e2e.sh || { echo "e2e setup failed" >&2; exit 1; }

step "build"
if [ ! -d server/src/language/generated ]; then npm run --silent langium:generate || exit 1; fi
node .ci/build.mjs || { echo "build failed" >&2; exit 1; }
node test/e2e/build.mjs || { echo "test bundle build failed" >&2; exit 1; }

step "VS Code desktop (@vscode/test-electron)"
node --import tsx test/e2e/run-electron.ts || failed+=("electron")

step "code-server, development folder"
timeout 900 node --import tsx test/e2e/run-code-server.ts --mode=dev || failed+=("code-server dev")

step "code-server, Restricted Mode"
timeout 600 node --import tsx test/e2e/run-code-server.ts --mode=restricted || failed+=("code-server restricted")

step "npm start: demo workspace, demo script run from the browser"
timeout 900 node --import tsx test/e2e/run-demo.ts || failed+=("npm start demo")

if [ -z "${WHAMM_E2E_SKIP_VSIX:-}" ]; then
    step "package the .vsix"
    if npm run --silent package; then
        # The .vsix must hold the bundles and nothing from the sources or tests.
        if node test/e2e/check-vsix.mjs out/whamm.vsix; then
            step "code-server, installed .vsix"
            timeout 900 node --import tsx test/e2e/run-code-server.ts --mode=vsix || failed+=("code-server vsix")
        else
            failed+=("vsix contents")
        fi
        # `package` builds minified bundles; put the development build back for whoever runs next.
        node .ci/build.mjs >/dev/null || true
    else
        failed+=("package")
    fi
fi

if ((${#failed[@]})); then
    echo; echo "e2e FAILED: ${failed[*]}" >&2
    exit 1
fi
echo; echo "e2e passed"
