package subscribertest_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/config"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/dbtest"
	"github.com/fyberpay/cpe/internal/secret"
	"github.com/fyberpay/cpe/internal/subscriber"
	"github.com/fyberpay/cpe/internal/subscriber/subscribertest"
	"github.com/fyberpay/cpe/internal/testfactory"
)

// What the kit seals, the subscriber service opens: the password is bound
// to the subscription as the service binds it.
func TestKit(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	box, err := secret.NewBox([]config.Key{{ID: "k1", Bytes: bytes.Repeat([]byte{5}, 32)}})
	require.NoError(t, err)
	o := testfactory.Org(ctx, t, pool, nil)

	plan, err := subscribertest.Plan(ctx, pool, o.ID, "fibre-20")
	require.NoError(t, err)
	ids, err := subscribertest.InsertMany(ctx, pool, box, []subscribertest.Subscriber{
		{OrgID: o.ID, Username: "amina", Name: "Amina", PlanID: &plan, PPPoEUsername: "amina@isp", PPPoEPassword: "pw-amina-1"},
		{OrgID: o.ID, Username: "baraka", Status: "suspended"},
	})
	require.NoError(t, err)
	require.Len(t, ids, 2)
	svc := subscriber.NewService(pool, box)
	c, err := svc.Credentials(ctx, pool, o.ID, ids[0])
	require.NoError(t, err)
	require.Equal(t, subscriber.Credentials{SubscriberID: ids[0], Username: "amina", Status: "active", PlanGroup: "fibre-20",
		PPPoEUsername: "amina@isp", PPPoEPassword: "pw-amina-1"}, c)
	c, err = svc.Credentials(ctx, pool, o.ID, ids[1])
	require.NoError(t, err)
	require.Equal(t, subscriber.Credentials{SubscriberID: ids[1], Username: "baraka", Status: "suspended"}, c)

	n, err := subscribertest.WithPassword(ctx, pool)
	require.NoError(t, err)
	require.Equal(t, 1, n)

	_, err = subscribertest.Insert(ctx, pool, nil, subscribertest.Subscriber{OrgID: o.ID, Username: "amina"})
	require.ErrorIs(t, err, db.ErrConflict)
	_, err = subscribertest.Insert(ctx, pool, nil, subscribertest.Subscriber{OrgID: o.ID, Username: "chausiku", PPPoEPassword: "x"})
	require.ErrorContains(t, err, "no box")
	_, err = subscribertest.Plan(ctx, pool, o.ID, "fibre-20")
	require.ErrorIs(t, err, db.ErrConflict)
}
