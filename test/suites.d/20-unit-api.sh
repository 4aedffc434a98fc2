# Unit tests of plain-TypeScript logic and the HTTP API in-process (app.request, fake clock).
run_suite unit-api npx mocha
