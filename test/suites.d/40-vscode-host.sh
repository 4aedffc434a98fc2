# Extension-host tests: mocha inside real VS Code (code-server) against a real jit-server.
vscode_host() { bash test/vscode/prepare.sh && npx tsx test/vscode/run.ts; }
run_suite vscode-host vscode_host
