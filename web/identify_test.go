package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/callback"
)

func (b *testBundle) identify(t *testing.T, key, body string) apiResp {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+"/internal/cpe/identify", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set(callback.HeaderKey, key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := apiResp{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &r.body), string(raw))
	}
	return r
}

const huaweiIdentify = `{"serial":"48575443A1B2C3D4","oui":"00259E","productClass":"HG8245H","manufacturer":"Huawei Technologies Co., Ltd","deviceId":"00259E-HG8245H-48575443A1B2C3D4","root":"InternetGatewayDevice"}`

func TestIdentifyEndpoint(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	r := b.identify(t, internalKey, huaweiIdentify)
	require.Equal(t, http.StatusOK, r.status, r.raw)
	require.Equal(t, "pending", r.body["status"])
	require.Equal(t, []any{}, r.body["tags"])
	require.EqualValues(t, 300, r.body["periodicInformInterval"])

	t.Run("WrongOrMissingKey", func(t *testing.T) {
		for _, key := range []string{"", "wrong-key", internalKey + "x", b.keyA} {
			r := b.identify(t, key, huaweiIdentify)
			require.Equal(t, http.StatusUnauthorized, r.status)
			require.Equal(t, "unauthorized", r.errCode())
		}
		require.Equal(t, 1, strings.Count(b.logs.String(), "internal callback refused"), "refusals are logged, rate-limited")
	})
	t.Run("SessionCookieDoesNotOpenIt", func(t *testing.T) {
		br := b.loggedIn(t, b.ownerA)
		req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/internal/cpe/identify", strings.NewReader(huaweiIdentify))
		req.Header.Set("Content-Type", "application/json")
		require.Equal(t, http.StatusUnauthorized, br.do(req).status)
	})
	t.Run("BadInput", func(t *testing.T) {
		for name, body := range map[string]string{
			"NotJSON":       `{"serial":`,
			"Empty":         ``,
			"UnknownField":  `{"serial":"HWTC12345678","oui":"00259E","extra":1}`,
			"MissingSerial": `{"oui":"00259E"}`,
			"LongSerial":    `{"serial":"` + strings.Repeat("A", 65) + `","oui":"00259E"}`,
		} {
			r := b.identify(t, internalKey, body)
			require.Equal(t, http.StatusBadRequest, r.status, name)
			require.NotEmpty(t, r.body["error"].(map[string]any)["message"], name)
		}
		// Text breaking the one rule every edge applies is a 422 naming it.
		for name, body := range map[string]string{
			"ControlChars": `{"serial":"HWTC\u0001\u0002","oui":"00259E"}`,
			"NUL":          `{"serial":"HWTC12345678","oui":"00259E","softwareVersion":"V3\u0000R017"}`,
			"InvalidUTF8":  "{\"serial\":\"HWTC12345678\",\"oui\":\"00\xff259E\"}",
		} {
			r := b.identify(t, internalKey, body)
			require.Equal(t, http.StatusUnprocessableEntity, r.status, name)
			require.NotEmpty(t, r.body["error"].(map[string]any)["fields"], name)
		}
		r := b.identify(t, internalKey, `{"serial":"`+strings.Repeat("A", 20000)+`"}`)
		require.Equal(t, http.StatusRequestEntityTooLarge, r.status)
		var n int
		require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM cpe_devices`).Scan(&n))
		require.Equal(t, 1, n, "bad input never writes a row")
	})
	t.Run("PendingDeviceNotInAnyOrgAudit", func(t *testing.T) {
		r := b.api(t, http.MethodGet, "/cpe/audit?action=cpe.discovered", b.keyA, "")
		require.Empty(t, r.items(), "installation-level rows are listed to no organization")
	})
}
