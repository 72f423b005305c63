package conformance_test

import (
	"testing"

	"github.com/jwtgate/jwtgate/conformance"
	jwtgate "github.com/jwtgate/jwtgate/core"
)

func TestBody(t *testing.T) {
	alice := &jwtgate.Claims{Subject: "alice", Scopes: []string{"read", "write"}}
	twin := &jwtgate.Claims{Subject: "alice"}
	tests := []struct {
		name    string
		typed   *jwtgate.Claims
		context *jwtgate.Claims
		want    string
	}{
		{"anonymous", nil, nil,
			`{"authenticated":false,"sub":"","scopes":[],"context_sub":"","same":true}`},
		{"same claims", alice, alice,
			`{"authenticated":true,"sub":"alice","scopes":["read","write"],` +
				`"context_sub":"alice","same":true}`},
		{"equal but distinct claims", twin, &jwtgate.Claims{Subject: "alice"},
			`{"authenticated":true,"sub":"alice","scopes":[],"context_sub":"alice","same":false}`},
		{"typed only", twin, nil,
			`{"authenticated":true,"sub":"alice","scopes":[],"context_sub":"","same":false}`},
		{"context only", nil, twin,
			`{"authenticated":false,"sub":"","scopes":[],"context_sub":"alice","same":false}`},
		{"subject to escape", &jwtgate.Claims{Subject: `a"<b>`}, nil,
			`{"authenticated":true,"sub":"a\"\u003cb\u003e","scopes":[],"context_sub":"",` +
				`"same":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(conformance.Body(tt.typed, tt.context)); got != tt.want {
				t.Errorf("Body = %s\n want %s", got, tt.want)
			}
		})
	}
}
