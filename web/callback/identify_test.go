package callback_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/web/webtest"
)

const huaweiIdentify = `{"serial":"48575443A1B2C3D4","oui":"00259E","productClass":"HG8245H","manufacturer":"Huawei Technologies Co., Ltd","deviceId":"00259E-HG8245H-48575443A1B2C3D4","root":"InternetGatewayDevice"}`

func TestIdentifyEndpoint(t *testing.T) {
	t.Parallel()
	b := webtest.Setup(t)
	ctx := context.Background()

	r := b.Identify(t, webtest.InternalKey, huaweiIdentify)
	require.Equal(t, http.StatusOK, r.Status, r.Raw)
	require.Equal(t, "pending", r.Body["status"])
	require.Equal(t, []any{}, r.Body["tags"])
	require.EqualValues(t, 300, r.Body["periodicInformInterval"])
	require.Contains(t, b.Logs.String(), `"msg":"identify calls since the last summary","total":1,"pending":1`,
		"identify is summarised at INFO (once a minute at most); each call's own line is DEBUG")
	b.Identify(t, webtest.InternalKey, huaweiIdentify)
	require.Equal(t, 1, strings.Count(b.Logs.String(), "identify calls since the last summary"), "not again within the minute")

	t.Run("WrongOrMissingKey", func(t *testing.T) {
		for _, key := range []string{"", "wrong-key", webtest.InternalKey + "x", b.KeyA} {
			r := b.Identify(t, key, huaweiIdentify)
			require.Equal(t, http.StatusUnauthorized, r.Status)
			require.Equal(t, "unauthorized", r.ErrCode())
		}
		require.Equal(t, 1, strings.Count(b.Logs.String(), "internal callback refused"), "refusals are logged, rate-limited")
	})
	t.Run("SessionCookieDoesNotOpenIt", func(t *testing.T) {
		br := b.LoggedIn(t, b.OwnerA)
		req, _ := http.NewRequest(http.MethodPost, b.Srv.URL+"/internal/cpe/identify", strings.NewReader(huaweiIdentify))
		req.Header.Set("Content-Type", "application/json")
		require.Equal(t, http.StatusUnauthorized, br.Do(req).Status)
	})
	t.Run("BadInput", func(t *testing.T) {
		for name, body := range map[string]string{
			"NotJSON":       `{"serial":`,
			"Empty":         ``,
			"UnknownField":  `{"serial":"HWTC12345678","oui":"00259E","extra":1}`,
			"MissingSerial": `{"oui":"00259E"}`,
			"LongSerial":    `{"serial":"` + strings.Repeat("A", 65) + `","oui":"00259E"}`,
		} {
			r := b.Identify(t, webtest.InternalKey, body)
			require.Equal(t, http.StatusBadRequest, r.Status, name)
			require.NotEmpty(t, r.Body["error"].(map[string]any)["message"], name)
		}
		// Text breaking the one rule every edge applies is a 422 naming it.
		for name, body := range map[string]string{
			"ControlChars": `{"serial":"HWTC\u0001\u0002","oui":"00259E"}`,
			"NUL":          `{"serial":"HWTC12345678","oui":"00259E","softwareVersion":"V3\u0000R017"}`,
			"InvalidUTF8":  "{\"serial\":\"HWTC12345678\",\"oui\":\"00\xff259E\"}",
		} {
			r := b.Identify(t, webtest.InternalKey, body)
			require.Equal(t, http.StatusUnprocessableEntity, r.Status, name)
			require.NotEmpty(t, r.Body["error"].(map[string]any)["fields"], name)
		}
		r := b.Identify(t, webtest.InternalKey, `{"serial":"`+strings.Repeat("A", 20000)+`"}`)
		require.Equal(t, http.StatusRequestEntityTooLarge, r.Status)
		var n int
		require.NoError(t, b.Pool.QueryRow(ctx, `SELECT count(*) FROM cpe_devices`).Scan(&n))
		require.Equal(t, 1, n, "bad input never writes a row")
	})
	t.Run("PendingDeviceNotInAnyOrgAudit", func(t *testing.T) {
		r := b.API(t, http.MethodGet, "/cpe/audit?action=cpe.discovered", b.KeyA, "")
		require.Empty(t, r.Items(), "installation-level rows are listed to no organization")
	})
}
