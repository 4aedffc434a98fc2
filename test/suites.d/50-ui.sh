# UI end-to-end: Playwright drives code-server in chromium through the issue-5 scenario;
# screenshots land in test-output/ui/.
ui_e2e() { bash test/vscode/prepare.sh && npx tsx test/ui/scenario.ts; }
run_suite ui ui_e2e
