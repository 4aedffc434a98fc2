# The whole tree type-checks (strict); counted as one test.
run_check typecheck npx tsc -p tsconfig.json
# The layering holds on every import (scripts/import-rules.ts): routes → domain → store/engines,
# no vscode in extension/core, extension and webview sharing only the page protocol.
run_check import-rules npx tsx scripts/import-rules.ts
