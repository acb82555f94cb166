package acssim

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func putFile(t *testing.T, b *testBundle, name string, data []byte, meta map[string]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, b.nbiURL+"/files/"+name, bytes.NewReader(data))
	require.NoError(t, err)
	for k, v := range meta {
		req.Header[k] = []string{v}
	}
	resp, err := b.nbi.c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, "201 Created", resp.Status)
}

func randomBytes(n int, seed int64) []byte {
	b := make([]byte, n)
	_, _ = rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func TestFiles(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	data := randomBytes(10<<20, 1)
	putFile(t, b, "fyberpay-speedtest-10MB.bin", data, map[string]string{"fileType": "3 Vendor Configuration File", "version": "1"})

	t.Run("ListedWithGridFSShape", func(t *testing.T) {
		docs, total := b.nbi.list("files", `{"filename":"fyberpay-speedtest-10MB.bin"}`, "", "")
		require.Equal(t, "1", total)
		d := docs[0]
		require.Equal(t, float64(len(data)), d["length"])
		require.Equal(t, float64(261120), d["chunkSize"])
		require.Equal(t, d["_id"], d["filename"])
		require.Equal(t, map[string]any{"fileType": "3 Vendor Configuration File", "oui": nil, "productClass": nil, "version": "1"}, d["metadata"])
		meta, size, ok := b.sim.File("fyberpay-speedtest-10MB.bin")
		require.True(t, ok)
		require.Equal(t, int64(len(data)), size)
		require.Equal(t, "1", meta.Version)
		require.Empty(t, meta.OUI)
	})
	t.Run("FileServerServesIdenticalBytes", func(t *testing.T) {
		resp, err := http.Get(b.fsURL + "/fyberpay-speedtest-10MB.bin")
		require.NoError(t, err)
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, "200 OK", resp.Status)
		require.Equal(t, "application/octet-stream", resp.Header.Get("Content-Type"))
		require.Equal(t, "bytes", resp.Header.Get("Accept-Ranges"))
		require.NotEmpty(t, resp.Header.Get("ETag"))
		require.NotEmpty(t, resp.Header.Get("Last-Modified"))
		require.Empty(t, resp.Header.Get("GenieACS-Version"))
		require.Equal(t, sha256.Sum256(data), sha256.Sum256(got))
	})
	t.Run("RangeAndConditionalRequests", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, b.fsURL+"/fyberpay-speedtest-10MB.bin", nil)
		req.Header.Set("Range", "bytes=100-199")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusPartialContent, resp.StatusCode)
		require.Equal(t, data[100:200], got)

		req, _ = http.NewRequest(http.MethodGet, b.fsURL+"/fyberpay-speedtest-10MB.bin", nil)
		req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
		resp, err = http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusNotModified, resp.StatusCode)
	})
	t.Run("MissingFileIs404", func(t *testing.T) {
		resp, err := http.Get(b.fsURL + "/no-such-file.bin")
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusNotFound, resp.StatusCode)
	})
	t.Run("PutReplacesAndDeleteOfMissingDrops", func(t *testing.T) {
		putFile(t, b, "plain.cfg", []byte("{bad json\n"), nil)
		putFile(t, b, "plain.cfg", []byte("second"), nil)
		docs, _ := b.nbi.list("files", `{"_id":"plain.cfg"}`, "", "")
		require.Len(t, docs, 1)
		require.Equal(t, float64(6), docs[0]["length"])
		require.Equal(t, map[string]any{"fileType": nil, "oui": nil, "productClass": nil, "version": nil}, docs[0]["metadata"])
		require.Equal(t, "200 OK", b.nbi.must(http.MethodDelete, "/files/plain.cfg", "").status)
		_, err := b.nbi.do(http.MethodDelete, "/files/plain.cfg", "")
		require.Error(t, err, "deleting a missing file crashes the real NBI")
	})
}

func TestDownloadTask(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	hw := b.addDevice(t, ProfileHuaweiHG8245H)
	putFile(t, b, "HG8245H-V3R019.bin", randomBytes(256<<10, 2),
		map[string]string{"fileType": "1 Firmware Upgrade Image", "oui": "00259E", "productClass": "HG8245H", "version": "V3R019C10S100"})

	t.Run("InstallsTheVersionAndReboots", func(t *testing.T) {
		r := b.nbi.task(hw, `{"name":"download","file":"HG8245H-V3R019.bin"}`, true)
		require.Equal(t, "200 OK", r.status, "the task ends at the Download RPC; the transfer completes later")
		docs, _ := b.nbi.devices(`{"_id":`+jsonString(hw)+`}`, "Downloads")
		dl := docs[0]["Downloads"].(map[string]any)["1"].(map[string]any)
		require.Equal(t, "HG8245H-V3R019.bin", dl["FileName"].(map[string]any)["_value"])
		require.Equal(t, "1970-01-01T00:00:00.000Z", dl["CompleteTime"].(map[string]any)["_value"])
		eventually(t, "the new firmware", func() bool {
			b.sim.mu.RLock()
			d := b.sim.byID[hw]
			done := d.events == 0 && !d.has(fRebooting) && !d.has(fBusy) && d.fw != ""
			b.sim.mu.RUnlock()
			return done && b.nbi.value(hw, hwSW) == "V3R019C10S100"
		})
		docs, _ = b.nbi.devices(`{"_id":`+jsonString(hw)+`}`, "Downloads,_lastBoot")
		dl = docs[0]["Downloads"].(map[string]any)["1"].(map[string]any)
		require.Equal(t, "HG8245H-V3R019.bin", dl["LastFileName"].(map[string]any)["_value"])
		require.NotEqual(t, "1970-01-01T00:00:00.000Z", dl["CompleteTime"].(map[string]any)["_value"])
		_, total := b.nbi.list("faults", "", "", "")
		require.Equal(t, "0", total)
	})
	t.Run("ImageForAnotherModelFaultsAfterTheTransfer", func(t *testing.T) {
		zte := b.addDevice(t, ProfileZTEF660)
		before := b.nbi.value(zte, "InternetGatewayDevice.DeviceInfo.SoftwareVersion")
		r := b.nbi.task(zte, `{"name":"download","file":"HG8245H-V3R019.bin"}`, true)
		require.Equal(t, "200 OK", r.status)
		taskID := r.json(t)["_id"].(string)
		var faults []map[string]any
		eventually(t, "the TransferComplete fault", func() bool {
			faults, _ = b.nbi.list("faults", `{"_id":`+jsonString(zte+":task_"+taskID)+`}`, "", "")
			return len(faults) == 1
		})
		require.Equal(t, "cwmp.9018", faults[0]["code"])
		require.Equal(t, "File corrupted", faults[0]["message"])
		require.Equal(t, before, b.nbi.value(zte, "InternetGatewayDevice.DeviceInfo.SoftwareVersion"))
	})
	t.Run("MarkedImagesFailOrBrick", func(t *testing.T) {
		meta := map[string]string{"fileType": "1 Firmware Upgrade Image", "oui": "00259E", "productClass": "HG8245H", "version": "V3R020"}
		putFile(t, b, "HG8245H-V3R020"+ImageFailMarker+".bin", randomBytes(64<<10, 4), meta)
		putFile(t, b, "HG8245H-V3R021"+ImageBrickMarker+".bin", randomBytes(64<<10, 5), meta)
		failing := b.addDevice(t, ProfileHuaweiHG8245H)
		before := b.nbi.value(failing, hwSW)
		r := b.nbi.task(failing, `{"name":"download","file":"HG8245H-V3R020`+ImageFailMarker+`.bin"}`, true)
		require.Equal(t, "200 OK", r.status)
		taskID := r.json(t)["_id"].(string)
		var faults []map[string]any
		eventually(t, "the TransferComplete fault", func() bool {
			faults, _ = b.nbi.list("faults", `{"_id":`+jsonString(failing+":task_"+taskID)+`}`, "", "")
			return len(faults) == 1
		})
		require.Equal(t, "cwmp.9010", faults[0]["code"])
		require.Equal(t, "Download failed: image verification failed", faults[0]["message"])
		require.Equal(t, before, b.nbi.value(failing, hwSW))

		bricked := b.addDevice(t, ProfileHuaweiHG8245H)
		r = b.nbi.task(bricked, `{"name":"download","file":"HG8245H-V3R021`+ImageBrickMarker+`.bin"}`, true)
		require.Equal(t, "200 OK", r.status)
		eventually(t, "the device going down", func() bool {
			b.sim.mu.RLock()
			defer b.sim.mu.RUnlock()
			return b.sim.byID[bricked].has(fRebooting)
		})
		r = b.nbi.task(bricked, `{"name":"reboot"}`, true)
		require.Equal(t, "202 Device is offline", r.status, "it never comes back")
	})
	t.Run("UnknownFileFaults9010", func(t *testing.T) {
		r := b.nbi.task(hw, `{"name":"download","file":"nope.bin"}`, true)
		require.Equal(t, "202 Task faulted", r.status)
		faults, _ := b.nbi.list("faults", `{"device":`+jsonString(hw)+`}`, "", "")
		require.Equal(t, "cwmp.9010", faults[0]["code"])
	})
}

func TestDiagnostics(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	installScript(t, b.nbi, "results", "8 DIAGNOSTICS COMPLETE", diagnosticsResults)
	data := randomBytes(10<<20, 3)
	putFile(t, b, "fyberpay-speedtest-10MB.bin", data, nil)

	t.Run("DownloadDiagnosticsTR098", func(t *testing.T) {
		id := b.addDevice(t, ProfileZTEF660)
		const p = "InternetGatewayDevice.DownloadDiagnostics."
		informs := b.sim.Stats().Informs
		r := b.nbi.task(id, `{"name":"setParameterValues","parameterValues":[["`+p+`DiagnosticsState","Requested"],["`+p+`DownloadURL","`+b.fsURL+`/fyberpay-speedtest-10MB.bin"]]}`, true)
		require.Equal(t, "200 OK", r.status)
		eventually(t, "diagnostics complete", func() bool { return b.nbi.value(id, p+"DiagnosticsState") == "Completed" })
		eventually(t, "the 8 DIAGNOSTICS COMPLETE session", func() bool { return b.sim.Stats().Informs >= informs+2 })
		require.Equal(t, float64(len(data)), b.nbi.value(id, p+"TestBytesReceived"))
		require.Greater(t, b.nbi.value(id, p+"TotalBytesReceived"), float64(len(data)))
		bom, err := time.Parse(time.RFC3339, b.nbi.value(id, p+"BOMTime").(string))
		require.NoError(t, err)
		eom, err := time.Parse(time.RFC3339, b.nbi.value(id, p+"EOMTime").(string))
		require.NoError(t, err)
		mbps := float64(len(data)) * 8 / eom.Sub(bom).Seconds() / 1e6
		require.InDelta(t, 110, mbps, 100, "a plausible line rate")
	})
	t.Run("SetLineRate", func(t *testing.T) {
		id := b.addDevice(t, ProfileZTEF660)
		require.NoError(t, b.sim.SetLineRate(id, 8))
		require.ErrorIs(t, b.sim.SetLineRate("nope", 8), ErrNoSuchDevice)
		require.Error(t, b.sim.SetLineRate(id, -1))
		const p = "InternetGatewayDevice.DownloadDiagnostics."
		r := b.nbi.task(id, `{"name":"setParameterValues","parameterValues":[["`+p+`DiagnosticsState","Requested"],["`+p+`DownloadURL","`+b.fsURL+`/fyberpay-speedtest-10MB.bin"]]}`, true)
		require.Equal(t, "200 OK", r.status)
		eventually(t, "diagnostics complete", func() bool { return b.nbi.value(id, p+"DiagnosticsState") == "Completed" })
		bom, err := time.Parse(time.RFC3339, b.nbi.value(id, p+"BOMTime").(string))
		require.NoError(t, err)
		eom, err := time.Parse(time.RFC3339, b.nbi.value(id, p+"EOMTime").(string))
		require.NoError(t, err)
		mbps := float64(len(data)) * 8 / eom.Sub(bom).Seconds() / 1e6
		require.InDelta(t, 8, mbps, 1.5, "the set rate, within the run-to-run spread")
	})
	t.Run("IPPingTR181", func(t *testing.T) {
		id := b.addDevice(t, ProfileTPLinkAX10)
		const p = "Device.IP.Diagnostics.IPPing."
		r := b.nbi.task(id, `{"name":"setParameterValues","parameterValues":[["`+p+`Host","8.8.8.8"],["`+p+`NumberOfRepetitions",5,"xsd:unsignedInt"],["`+p+`DiagnosticsState","Requested"]]}`, true)
		require.Equal(t, "200 OK", r.status)
		eventually(t, "ping complete", func() bool { return b.nbi.value(id, p+"DiagnosticsState") == "Complete" })
		ok, fail := b.nbi.value(id, p+"SuccessCount").(float64), b.nbi.value(id, p+"FailureCount").(float64)
		require.Equal(t, float64(5), ok+fail)
		lo, avg, hi := b.nbi.value(id, p+"MinimumResponseTime").(float64), b.nbi.value(id, p+"AverageResponseTime").(float64), b.nbi.value(id, p+"MaximumResponseTime").(float64)
		require.True(t, lo > 0 && lo <= avg && avg <= hi, "min %v avg %v max %v", lo, avg, hi)
	})
	t.Run("NoURLIsAnError", func(t *testing.T) {
		id := b.addDevice(t, ProfileHuaweiHG8245H)
		const p = "InternetGatewayDevice.DownloadDiagnostics."
		require.Equal(t, "200 OK", b.nbi.task(id, spv(p+"DiagnosticsState", "Requested"), true).status)
		eventually(t, "diagnostics error", func() bool { return b.nbi.value(id, p+"DiagnosticsState") == "Error_InitConnectionFailed" })
	})
}

// A chunked upload the client aborts mid-body leaves no file (GridFS
// writes a file's document only when its stream finishes); the same
// upload completed is stored.
func TestAbortedUploadStoresNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	u, err := url.Parse(b.nbiURL)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	_, err = fmt.Fprintf(conn, "PUT /files/aborted.bin HTTP/1.1\r\nHost: %s\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n%s\r\n", u.Host, bytes.Repeat([]byte{7}, 1024))
	require.NoError(t, err)
	require.NoError(t, conn.Close()) // no terminating chunk: aborted
	// The same in full, after it: once it is listed, the aborted one's
	// handler has long finished.
	pr, pw := io.Pipe()
	go func() { _, _ = pw.Write(bytes.Repeat([]byte{7}, 1024)); _ = pw.Close() }()
	req, err := http.NewRequest(http.MethodPut, b.nbiURL+"/files/complete.bin", pr)
	require.NoError(t, err)
	resp, err := b.nbi.c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, "201 Created", resp.Status)
	_, total := b.nbi.list("files", `{"filename":"complete.bin"}`, "", "")
	require.Equal(t, "1", total)
	require.Eventually(t, func() bool {
		_, total := b.nbi.list("files", `{"filename":"aborted.bin"}`, "", "")
		return total == "0"
	}, time.Second, 10*time.Millisecond)
	_, total = b.nbi.list("files", `{"filename":"aborted.bin"}`, "", "")
	require.Equal(t, "0", total, "the aborted upload left no file")
}
