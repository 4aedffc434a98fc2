# The whole tree type-checks (strict); counted as one test.
run_check typecheck npx tsc -p tsconfig.json
