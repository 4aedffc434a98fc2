# The whole tree type-checks (strict); counted as one test.
typecheck() {
  if npx tsc -p tsconfig.json; then echo "typecheck 1 0" >> "$JIT_TEST_COUNTS"; else echo "typecheck 0 1" >> "$JIT_TEST_COUNTS"; return 1; fi
}
run_suite typecheck typecheck
