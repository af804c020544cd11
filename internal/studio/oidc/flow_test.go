package oidc

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// The codec is tested from inside because a forged-but-well-formed cookie
// (right format, wrong key) cannot be made from outside the package.
func TestOpenFlow(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := start
	p := &Provider{key: []byte("k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1"), now: func() time.Time { return now }}
	other := &Provider{key: []byte("k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2"), now: p.now}
	f := flow{State: "st", Nonce: "no", Verifier: "ve", Next: "/x", Expires: start.Add(FlowTTL).Unix()}

	tests := []struct {
		name  string
		value string
		at    time.Time
		ok    bool
	}{
		{"fresh", p.sealFlow(f), start, true},
		{"just before expiry", p.sealFlow(f), start.Add(FlowTTL - time.Second), true},
		{"at expiry", p.sealFlow(f), start.Add(FlowTTL), false},
		{"other key", other.sealFlow(f), start, false},
		{"no MAC", "eyJzIjoic3QifQ", start, false},
		{"empty", "", start, false},
		{"MAC not base64", "eyJzIjoic3QifQ.***", start, false},
		{"incomplete flow", p.sealFlow(flow{State: "st", Expires: f.Expires}), start, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now = tc.at
			got, err := p.openFlow(tc.value)
			if !tc.ok {
				if !errors.Is(err, ErrInvalidFlow) {
					t.Errorf("openFlow error %v, want ErrInvalidFlow", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != f {
				t.Errorf("openFlow = %+v, want %+v", got, f)
			}
		})
	}
}

func TestIsTrue(t *testing.T) {
	tests := []struct {
		raw  string
		want bool
	}{
		{`true`, true},
		{`"true"`, true}, // AWS Cognito
		{`false`, false},
		{`"false"`, false},
		{`1`, false},
		{``, false},
		{`null`, false},
	}
	for _, tc := range tests {
		if got := isTrue(json.RawMessage(tc.raw)); got != tc.want {
			t.Errorf("isTrue(%s) = %v, want %v", tc.raw, got, tc.want)
		}
	}
}
