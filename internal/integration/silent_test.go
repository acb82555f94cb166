package integration_test

import (
	"context"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/devsync"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/integration"
)

// A GenieACS that takes connections and never answers (a hung NBI, a
// firewall that swallows packets): the page does not hang with it; the NBI
// check says it did not answer in time, and nothing else is asked of it.
func TestSilentNBI(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
		}
	}()
	u, _ := url.Parse("http://" + ln.Addr().String())
	acs, err := genieacs.New(genieacs.Config{NBIURL: u})
	require.NoError(t, err)
	pool := dbtest.NewDB(t)
	svc := integration.NewService(pool, acs, nil, devsync.NewService(pool, acs, nil, slog.New(slog.DiscardHandler)), integration.Settings{NBIURL: u})

	rep, err := svc.Report(context.Background(), actor.Actor{Kind: actor.KindUser, OrgID: uuid.New(), Role: actor.RoleOwner, Operator: true}, nil)
	require.NoError(t, err)
	var nbi integration.Check
	for _, c := range rep.Checks {
		if c.ID == "nbi" {
			nbi = c
		}
		if c.ID == "provisions" || c.ID == "speedtest" || c.ID == "unidentified" {
			require.Equal(t, integration.StatusSkipped, c.Status, c.ID)
		}
	}
	require.Equal(t, integration.StatusFail, nbi.Status)
	require.Equal(t, "GenieACS at "+u.String()+" did not answer within 3s.", nbi.Found)
	require.True(t, strings.Contains(nbi.Fix, "firewall"), nbi.Fix)
}
