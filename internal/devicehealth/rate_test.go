package devicehealth

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRates(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	s := func(m int, recv, sent, uptime int64) sample {
		return sample{At: at(m), BytesReceived: &recv, BytesSent: &sent, UptimeS: &uptime}
	}
	tests := []struct {
		name     string
		samples  []sample
		down, up []Point
	}{
		{
			name: "DeltaBytesTimesEightOverSeconds",
			// 112,500,000 bytes in 900 s = 1 Mbps; 11,250,000 = 0.1 Mbps.
			samples: []sample{s(0, 0, 0, 100), s(15, 112_500_000, 11_250_000, 1000), s(30, 337_500_000, 33_750_000, 1900)},
			down:    []Point{{at(15), 1}, {at(30), 2}},
			up:      []Point{{at(15), 0.1}, {at(30), 0.2}},
		},
		{
			name:    "CounterResetSkipped",
			samples: []sample{s(0, 500_000_000, 900, 100), s(15, 1000, 1000, 1000), s(30, 56_251_000, 1000, 1900)},
			down:    []Point{{at(30), 0.5}},
			up:      []Point{{at(30), 0}},
		},
		{
			name:    "SentCounterResetAloneSkipsThePair",
			samples: []sample{s(0, 0, 900, 100), s(15, 112_500_000, 10, 1000)},
		},
		{
			name:    "UptimeBackwardsIsAReboot",
			samples: []sample{s(0, 0, 0, 5000), s(15, 900_000_000, 900_000_000, 60)},
		},
		{
			name: "GapOverTwoHoursSkipped",
			// 2 h exactly still counts: 900,000,000 bytes in 7200 s = 1 Mbps.
			samples: []sample{s(0, 0, 0, 0), s(120, 900_000_000, 0, 7200), s(241, 1_800_000_000, 0, 14460)},
			down:    []Point{{at(120), 1}},
			up:      []Point{{at(120), 0}},
		},
		{
			name:    "MissingCounterSkipped",
			samples: []sample{s(0, 0, 0, 0), {At: at(15)}, s(30, 112_500_000, 0, 1800)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			down, up := rates(tt.samples)
			require.Equal(t, tt.down, points(down))
			require.Equal(t, tt.up, points(up))
		})
	}
}

func points(ws []weighted) []Point {
	var ps []Point
	for _, w := range ws {
		ps = append(ps, Point{At: w.At, Value: round(w.Value, 6)})
	}
	return ps
}

func TestBucket(t *testing.T) {
	t.Parallel()
	from := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return from.Add(time.Duration(m) * time.Minute) }
	w := func(m int, v, weight float64) weighted { return weighted{Point{at(m), v}, weight} }
	tests := []struct {
		name string
		in   []weighted
		want []Point
	}{
		{"GaugesAveraged", []weighted{w(0, 10, 1), w(30, 20, 1), w(70, 7, 1)}, []Point{{at(15), 15}, {at(70), 7}}},
		{"EmptyBucketsDropped", []weighted{w(5, 1, 1), w(200, 3, 1)}, []Point{{at(5), 1}, {at(200), 3}}},
		// Rates in separate buckets keep their values; in one bucket, a rate
		// over 900 s and one over 2700 s make the mean rate over the hour, at
		// the seconds-weighted mean time.
		{"RatesWeightedBySeconds", []weighted{w(15, 4, 900), w(60, 0, 2700)}, []Point{{at(15), 4}, {at(60), 0}}},
		{"RatesWeightedInOneBucket", []weighted{w(10, 4, 900), w(55, 0, 2700)}, []Point{{at(43).Add(45 * time.Second), 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, points(bucket(tt.in, from, time.Hour)))
		})
	}
}
