package genieacs

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// garbage serves one raw HTTP answer to every request: what a broken proxy
// or a GenieACS bug could send.
func garbage(t *testing.T, raw string) *Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				buf := make([]byte, 64<<10)
				_, _ = conn.Read(buf)
				_, _ = conn.Write([]byte(raw))
			}()
		}
	}()
	u, _ := url.Parse("http://" + ln.Addr().String())
	c, err := New(Config{NBIURL: u, Timeout: 2 * time.Second})
	require.NoError(t, err)
	return c
}

func answer(status, body string) string {
	return fmt.Sprintf("HTTP/1.1 %s\r\nContent-Type: application/json\r\ntotal: 2\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", status, len(body), body)
}

func TestGarbageAnswersAreTypedErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, body := range map[string]string{
		"NotJSON":        "<html>oops</html>",
		"NotAnArray":     `{"_id":"x"}`,
		"Truncated":      "[\n{\"_id\":\"a\"},\n{\"_id\":\"b\",\"InternetGatewayDevice\":{",
		"WrongIDType":    `[{"_id": 5}]`,
		"WrongValueNode": `[{"_id":"a","InternetGatewayDevice":{"DeviceInfo":7}}]`,
		"WrongTimestamp": `[{"_id":"a","_lastInform":"yesterday"}]`,
		"NoID":           `[{"_lastInform":"2026-11-27T01:00:00.000Z"}]`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := garbage(t, answer("200 OK", body))
			seen := 0
			_, err := c.SearchDevices(ctx, Query{}, func(*Device) error { seen++; return nil })
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			require.LessOrEqual(t, seen, 1, "at most the documents before the damage")
			if name == "NotJSON" || name == "NotAnArray" || name == "Truncated" {
				_, err = c.Tasks(ctx, nil)
				require.ErrorAs(t, err, &de)
				_, err = c.Faults(ctx, nil)
				require.ErrorAs(t, err, &de)
			}
		})
	}
	t.Run("TaskAnswerNotATask", func(t *testing.T) {
		t.Parallel()
		c := garbage(t, answer("202 Accepted", `["not","a","task"]`))
		_, err := c.CreateTask(ctx, "d", Reboot(), TaskOptions{})
		var de *DecodeError
		require.ErrorAs(t, err, &de)
	})
	t.Run("BadTotalHeader", func(t *testing.T) {
		t.Parallel()
		c := garbage(t, "HTTP/1.1 200 OK\r\ntotal: many\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
		_, err := c.CountDevices(ctx, nil)
		var de *DecodeError
		require.ErrorAs(t, err, &de)
	})
	t.Run("DecodeErrorsDoNotTripTheBreaker", func(t *testing.T) {
		t.Parallel()
		// A garbled body is GenieACS answering, not GenieACS down.
		c := garbage(t, answer("200 OK", "nope"))
		for range 20 {
			_, _ = c.SearchDevices(ctx, Query{}, func(*Device) error { return nil })
		}
		require.Equal(t, "closed", c.BreakerState())
	})
}
