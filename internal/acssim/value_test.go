package acssim

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDeviceID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, oui, class, serial, want string
	}{
		{"HuaweiHexSerial", "00259E", "HG8245H", "48575443E204802C", "00259E-HG8245H-48575443E204802C"},
		{"SpaceInProductClass", "50C7BF", "Archer AX10", "2234567890123", "50C7BF-Archer%20AX10-2234567890123"},
		{"DashInSerial", "00236A", "96318REF", "SR360NA0A4-0003196", "00236A-96318REF-SR360NA0A4%2D0003196"},
		{"UnderscoreKept", "344B50", "F_660", "ZTEG_1", "344B50-F_660-ZTEG_1"},
		{"NoProductClass", "344B50", "", "ZTEG00000001", "344B50-ZTEG00000001"},
		{"UTF8BytesUpperHex", "A1B2C3", "Bürо", "1", "A1B2C3-B%C3%BCr%D0%BE-1"},
		{"LowByteNotPadded", "A1B2C3", "X", "a\tb", "A1B2C3-X-a%9b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, DeviceID(tc.oui, tc.class, tc.serial))
		})
	}
}

func TestParseJSONErrorsMatchV8(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`{"_id":`, "Unexpected end of JSON input"},
		{`{x`, "Expected property name or '}' in JSON at position 1"},
		{"{bad json\n", "Expected property name or '}' in JSON at position 1"},
		{``, "Unexpected end of JSON input"},
		{`{"a":1 "b":2}`, "Expected ',' or '}' after property value in JSON at position 7"},
		{`{"a":1,}`, "Expected double-quoted property name in JSON at position 7"},
		{`{"a" 1}`, "Expected ':' after property name in JSON at position 5"},
		{`[1,]`, `Unexpected token ']', "[1,]" is not valid JSON`},
		{`[1 2]`, "Expected ',' or ']' after array element in JSON at position 3"},
		{`{"a":1}x`, "Unexpected non-whitespace character after JSON at position 7"},
		{`"abc`, "Unterminated string in JSON at position 4"},
		{`-`, "No number after minus sign in JSON at position 1"},
		{`1.`, "Unterminated fractional number in JSON at position 2"},
		{`tru`, "Unexpected end of JSON input"},
		{`{"query":"a long value here", x}`, `Expected double-quoted property name in JSON at position 30`},
		{`{"k": undefined, "more": "text here"}`, `Unexpected token 'u', "{"k": undefined,"... is not valid JSON`},
		{`{"a long key here": nope, "b": 1}`, `Unexpected token 'o', ..."y here": nope, "b": "... is not valid JSON`}, // V8 reports the first mismatching letter of a literal
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			_, err := parseJSON([]byte(tc.in))
			require.EqualError(t, err, tc.want)
		})
	}
	t.Run("KeepsKeyOrderAndTypes", func(t *testing.T) {
		t.Parallel()
		v, err := parseJSON([]byte(`{"b":1,"a":[true,null,"x"],"b":2.5}`))
		require.NoError(t, err)
		require.Equal(t, `{"b":2.5,"a":[true,null,"x"]}`, string(appendJSON(nil, v)))
	})
}

func TestJSNumberFormatting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{300, "300"}, {-0.5, "-0.5"}, {1e21, "1e+21"}, {123456789012, "123456789012"},
		{0.000001, "0.000001"}, {1e-7, "1e-7"}, {math.NaN(), "null"},
	} {
		require.Equal(t, tc.want, string(appendJSNumber(nil, tc.in)))
	}
}

func TestNormalizeLikeGenieACS(t *testing.T) {
	t.Parallel()
	t.Run("NumericStringAddsNumber", func(t *testing.T) {
		t.Parallel()
		v, err := normalize("300")
		require.NoError(t, err)
		require.Equal(t, []any{"300", 300.0}, v)
	})
	t.Run("PaddedNumberStillNumber", func(t *testing.T) {
		t.Parallel()
		v, err := normalize(" 42 ")
		require.NoError(t, err)
		require.Contains(t, v, 42.0)
	})
	t.Run("TrailingGarbageIsNotNumber", func(t *testing.T) {
		t.Parallel()
		v, err := normalize("300abc")
		require.NoError(t, err)
		require.Equal(t, []any{"300abc"}, v)
	})
	t.Run("ISODateAddsDate", func(t *testing.T) {
		t.Parallel()
		v, err := normalize("2026-11-27T01:22:58.000Z")
		require.NoError(t, err)
		require.Len(t, v, 2)
		require.Equal(t, time.Date(2026, 11, 27, 1, 22, 58, 0, time.UTC), v[1].(time.Time).UTC())
	})
	t.Run("HumanDateWithOffset", func(t *testing.T) {
		t.Parallel()
		v, err := normalize("2026-11-27 01:00:00 +0000")
		require.NoError(t, err)
		require.Len(t, v, 2)
		require.True(t, v[1].(time.Time).Equal(time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)))
	})
	t.Run("OldOrShortDatesIgnored", func(t *testing.T) {
		t.Parallel()
		for _, s := range []string{"1970-01-01", "2026-1"} {
			v, err := normalize(s)
			require.NoError(t, err)
			for _, x := range v {
				_, isDate := x.(time.Time)
				require.False(t, isDate, s)
			}
		}
	})
	t.Run("SlashRegex", func(t *testing.T) {
		t.Parallel()
		v, err := normalize("/^hg/i")
		require.NoError(t, err)
		re := v[1].(*object).vals[0]
		require.Contains(t, re.(interface{ String() string }).String(), "(?i)")
	})
	t.Run("WildcardEscapesOnlyFirstSpecial", func(t *testing.T) {
		t.Parallel()
		re, err := wildcardRegExp("HG8245*")
		require.NoError(t, err)
		require.Equal(t, "^HG8245", re.String())
		re, err = wildcardRegExp("*a.b.c*")
		require.NoError(t, err)
		require.Equal(t, `a\.b.c`, re.String())
		re, err = wildcardRegExp("a*b")
		require.NoError(t, err)
		require.Equal(t, "^a.*b$", re.String())
	})
}

func TestExpandDeviceQuery(t *testing.T) {
	t.Parallel()
	parse := func(t *testing.T, s string) *object {
		t.Helper()
		v, err := parseJSON([]byte(s))
		require.NoError(t, err)
		return v.(*object)
	}
	t.Run("AppendsValueToParameterKeys", func(t *testing.T) {
		t.Parallel()
		q, err := expandDeviceQuery(parse(t, `{"InternetGatewayDevice.X.SSID":"abc","_deviceId._OUI":"00259E","_tags":"t"}`))
		require.NoError(t, err)
		require.Equal(t, []string{"InternetGatewayDevice.X.SSID._value", "_deviceId._OUI", "_tags"}, q.keys)
	})
	t.Run("MultipleCandidatesBecomeOr", func(t *testing.T) {
		t.Parallel()
		q, err := expandDeviceQuery(parse(t, `{"A.B":"300"}`))
		require.NoError(t, err)
		require.Equal(t, `{"$and":[{"$or":[{"A.B._value":"300"},{"A.B._value":300}]}]}`, string(appendJSON(nil, q)))
	})
	t.Run("NeMixedWithOtherOperatorIsAnError", func(t *testing.T) {
		t.Parallel()
		_, err := expandDeviceQuery(parse(t, `{"A":{"$ne":"1","$gt":"0"}}`))
		require.ErrorContains(t, err, "Cannot mix $ne or $not with other operators")
	})
	t.Run("NeAloneIsAndOfCandidates", func(t *testing.T) {
		t.Parallel()
		q, err := expandDeviceQuery(parse(t, `{"A":{"$ne":"1"}}`))
		require.NoError(t, err)
		require.Equal(t, `{"$and":[{"A._value":{"$ne":"1"}},{"A._value":{"$ne":1}}]}`, string(appendJSON(nil, q)))
	})
	t.Run("EmptyOperatorObjectDisappears", func(t *testing.T) {
		t.Parallel()
		q, err := expandDeviceQuery(parse(t, `{"A":{}}`))
		require.NoError(t, err)
		require.Empty(t, q.keys)
	})
}
