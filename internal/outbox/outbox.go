package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/fyberpay/cpe/internal/db"
)

// Topic names an event kind.
type Topic string

// Topics receivers can subscribe to. Producers arrive with the issues that
// own them; the list is the contract shown on the Settings page.
const (
	TopicPing         Topic = "webhook.ping"
	TopicDiscovered   Topic = "cpe.discovered"
	TopicClaimed      Topic = "cpe.claimed"
	TopicAssigned     Topic = "cpe.assigned"
	TopicUnassigned   Topic = "cpe.unassigned"
	TopicTaskFinished Topic = "cpe.task_finished"
	TopicFaultRaised  Topic = "fault.raised"
	TopicFaultEnded   Topic = "fault.resolved"
	// A firmware deployment started, halted (its halt rule tripped) or
	// completed; the payload holds its counts.
	TopicFirmwareStarted   Topic = "firmware.deployment.started"
	TopicFirmwareHalted    Topic = "firmware.deployment.halted"
	TopicFirmwareCompleted Topic = "firmware.deployment.completed"
	// An organization's provision script was saved (a new version) or
	// deleted.
	TopicProvisionSaved   Topic = "provision.saved"
	TopicProvisionDeleted Topic = "provision.deleted"
	TopicOnline           Topic = "cpe.online"
	TopicOffline          Topic = "cpe.offline"
	// TopicIdentityConflict: a CPE reported a claimed device's serial with
	// another OUI, product class or GenieACS id.
	TopicIdentityConflict Topic = "cpe.identity_conflict"
	// TopicOpticalAlarm: a GPON ONT's received optical level crossed one of
	// its organization's thresholds (weak, critical, overload), or moved
	// from one alarm level to another; TopicOpticalCleared: it is good
	// again.
	TopicOpticalAlarm   Topic = "cpe.optical_alarm"
	TopicOpticalCleared Topic = "cpe.optical_alarm_cleared"
)

// TopicInfo describes a subscribable topic.
type TopicInfo struct {
	Topic       Topic
	Description string
}

// Subscribable lists the topics an endpoint may subscribe to (ping is always
// sent to the endpoint it targets and needs no subscription).
func Subscribable() []TopicInfo {
	return []TopicInfo{
		{TopicDiscovered, "a device contacted GenieACS for the first time"},
		{TopicClaimed, "a pending device was claimed by this organization"},
		{TopicAssigned, "a device was assigned to a subscriber"},
		{TopicUnassigned, "a device was unassigned from its subscriber"},
		{TopicTaskFinished, "a device task reached its outcome (done or failed)"},
		{TopicFaultRaised, "GenieACS reported a fault for a device (new, or back after it was resolved)"},
		{TopicFaultEnded, "a device's fault ended: GenieACS no longer holds it (resolved) or staff cleared it (cleared)"},
		{TopicFirmwareStarted, "a firmware deployment started (targets and waves)"},
		{TopicFirmwareHalted, "a firmware deployment halted: its failure rate passed the limit (the reason and counts)"},
		{TopicFirmwareCompleted, "a firmware deployment sent every wave and every device finished (the counts)"},
		{TopicProvisionSaved, "one of your provision scripts was saved (its new version) or bound (when it runs)"},
		{TopicProvisionDeleted, "one of your provision scripts was deleted"},
		{TopicOpticalAlarm, "a GPON ONT's received optical level crossed a threshold: weak, critical or overload (the level and dBm)"},
		{TopicOpticalCleared, "a GPON ONT's received optical level is good again"},
		{TopicOnline, "a device informed again after being offline"},
		{TopicOffline, "a device stopped informing (no inform for OFFLINE_AFTER, 10 minutes by default)"},
		{TopicIdentityConflict, "a CPE reported one of your devices' serial with another OUI, product class or GenieACS id (not applied, secrets withheld)"},
	}
}

// IsSubscribable reports whether t may appear in an endpoint's topics.
func IsSubscribable(t string) bool {
	return slices.ContainsFunc(Subscribable(), func(i TopicInfo) bool { return string(i.Topic) == t })
}

// JobInserter is the part of the River client the outbox needs; an
// insert-only *river.Client[pgx.Tx] is one.
type JobInserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertManyTx(ctx context.Context, tx pgx.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// Event is a stored outbox event.
type Event struct {
	ID         uuid.UUID       `json:"id"`
	OrgID      uuid.UUID       `json:"-"`
	Topic      Topic           `json:"type"`
	Payload    json.RawMessage `json:"data"`
	EndpointID *uuid.UUID      `json:"-"`
	CreatedAt  time.Time       `json:"createdAt"`
}

// Write records an event on tx (the transaction of the change) and enqueues
// its dispatch on the same transaction. orgID uuid.Nil makes it an
// installation-level event, delivered to every organization subscribed.
func Write(ctx context.Context, tx pgx.Tx, jobs JobInserter, orgID uuid.UUID, topic Topic, payload any) (uuid.UUID, error) {
	return write(ctx, tx, jobs, orgID, topic, payload, nil)
}

func write(ctx context.Context, tx pgx.Tx, jobs JobInserter, orgID uuid.UUID, topic Topic, payload any, endpointID *uuid.UUID) (uuid.UUID, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return uuid.Nil, fmt.Errorf("encode %s payload: %w", topic, err)
	}
	var (
		id  uuid.UUID
		org *uuid.UUID
	)
	if orgID != uuid.Nil {
		org = &orgID
	}
	if err := tx.QueryRow(ctx, `INSERT INTO outbox_events (org_id, topic, payload, endpoint_id) VALUES ($1, $2, $3, $4) RETURNING id`,
		org, topic, body, endpointID).Scan(&id); err != nil {
		return uuid.Nil, fmt.Errorf("write outbox event: %w", err)
	}
	if _, err := jobs.InsertTx(ctx, tx, DispatchArgs{EventID: id}, nil); err != nil {
		return uuid.Nil, fmt.Errorf("enqueue dispatch: %w", err)
	}
	return id, nil
}

// DeleteOlderThan removes dispatched events (with their deliveries and
// attempts) older than age; the housekeeping job calls it.
func DeleteOlderThan(ctx context.Context, exec db.Executor, age time.Duration) (int64, error) {
	tag, err := exec.Exec(ctx, `DELETE FROM outbox_events WHERE dispatched_at IS NOT NULL AND created_at < now() - make_interval(secs => $1)
		AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = outbox_events.id AND d.status = 'pending')`, age.Seconds())
	if err != nil {
		return 0, fmt.Errorf("delete old outbox events: %w", err)
	}
	return tag.RowsAffected(), nil
}
