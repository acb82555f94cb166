// Package lint holds checks over the module's own source, run as tests
// (go test ./internal/lint): it has no code of its own.
package lint
