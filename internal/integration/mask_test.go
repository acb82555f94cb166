package integration

import "testing"

func TestMaskDeviceID(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ id, want, oui, pc, serial string }{
		{"00259E-HG8245H-48575443A1B2C3D4", "00259E-HG8245H-••••C3D4", "00259E", "HG8245H", "48575443A1B2C3D4"},
		{"202BC1-Archer%20AX10-2233445566080", "202BC1-Archer%20AX10-••••6080", "202BC1", "Archer AX10", "2233445566080"},
		{"001122-ZXHN-F660-ZTEG1234", "001122-ZXHN-F660-••••1234", "001122", "ZXHN-F660", "ZTEG1234"},
		{"00259E-ABC", "00259E-••••", "00259E", "", "ABC"},
		{"XYZ", "••••", "", "", "XYZ"},
	} {
		if got := MaskDeviceID(c.id); got != c.want {
			t.Errorf("MaskDeviceID(%q) = %q, want %q", c.id, got, c.want)
		}
		oui, pc, serial := splitDeviceID(c.id)
		if oui != c.oui || pc != c.pc || serial != c.serial {
			t.Errorf("splitDeviceID(%q) = %q %q %q", c.id, oui, pc, serial)
		}
	}
}
