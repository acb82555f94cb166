// Package static holds the embedded browser assets: vendored htmx 2.0.11
// and Pico CSS 2.1.1 (make vendor-assets), plus our small app.css/app.js
// and the favicon.
package static

import "embed"

// FS is served under /static.
//
//go:embed *.js *.css *.svg
var FS embed.FS
