package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// PutState stores v as JSON under key in system_state (installation-wide
// facts the pages show: the last GenieACS bootstrap, the last fault poll).
func PutState(ctx context.Context, exec Executor, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := exec.Exec(ctx, `INSERT INTO system_state (key, value, updated_at) VALUES ($1, $2, now())
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`, key, b); err != nil {
		return fmt.Errorf("save %s: %w", key, err)
	}
	return nil
}

// GetState reads what PutState stored under key into a T; ok is false
// when nothing is stored yet.
func GetState[T any](ctx context.Context, exec Executor, key string) (v T, ok bool, err error) {
	var b []byte
	err = MapErr(exec.QueryRow(ctx, `SELECT value FROM system_state WHERE key = $1`, key).Scan(&b))
	switch {
	case errors.Is(err, ErrNotFound):
		return v, false, nil
	case err != nil:
		return v, false, fmt.Errorf("read %s: %w", key, err)
	}
	return v, true, json.Unmarshal(b, &v)
}
