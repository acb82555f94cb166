// Package e2e drives the real fyberpay binary in Debian Chromium through
// playwright-go: real Postgres, real HTTP, real browser. `make e2e` (and
// `make test`) install the browser and driver and set E2E_REQUIRED=1, so a
// missing browser fails the run instead of skipping it. Screenshots of
// failing pages land in e2e/artifacts/.
package e2e
