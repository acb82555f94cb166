// Package migrations holds the numbered SQL schema migrations, embedded into
// the binary and applied by goose (internal/db). River's own tables are
// migrated separately through rivermigrate.
package migrations

import "embed"

// FS holds every NNNNN_name.sql file of this folder.
//
//go:embed *.sql
var FS embed.FS
