package jwtgate_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	jwtgate "github.com/jwtgate/jwtgate/core"
)

func TestExtract(t *testing.T) {
	all := jwtgate.Extractor{Cookie: "session", Header: "X-Access-Token", Query: "access_token"}
	tests := []struct {
		name    string
		x       jwtgate.Extractor
		headers map[string][]string
		target  string
		token   string
		reason  error
	}{
		{name: "bearer", headers: auth("Bearer abc.def.ghi"), token: "abc.def.ghi"},
		{name: "scheme case", headers: auth("bEaReR abc.def.ghi"), token: "abc.def.ghi"},
		{name: "extra spaces", headers: auth("Bearer   abc.def.ghi"), token: "abc.def.ghi"},
		{name: "none", reason: jwtgate.ErrTokenMissing},
		{name: "empty header", headers: auth(""), reason: jwtgate.ErrTokenMissing},
		{name: "basic", headers: auth("Basic dXNlcjpwYXNz"), reason: jwtgate.ErrTokenMissing},
		{name: "scheme only", headers: auth("Bearer"), reason: jwtgate.ErrRequestMalformed},
		{name: "scheme and space", headers: auth("Bearer "), reason: jwtgate.ErrRequestMalformed},
		{name: "comma", headers: auth("Bearer a.b.c,d"), reason: jwtgate.ErrRequestMalformed},
		{name: "inner space", headers: auth("Bearer a.b. c"), reason: jwtgate.ErrRequestMalformed},
		{name: "tab", headers: auth("Bearer a.b.c\t"), reason: jwtgate.ErrRequestMalformed},
		{name: "two headers", headers: auth("Bearer a.b.c", "Bearer a.b.c"),
			reason: jwtgate.ErrRequestMalformed},
		{name: "query off by default", target: "/?access_token=a.b.c", reason: jwtgate.ErrTokenMissing},
		{name: "query", x: all, target: "/?access_token=a.b.c", token: "a.b.c"},
		{name: "query twice", x: all, target: "/?access_token=a.b.c&access_token=a.b.c",
			reason: jwtgate.ErrRequestMalformed},
		{name: "custom header", x: all, headers: map[string][]string{"X-Access-Token": {"a.b.c"}},
			token: "a.b.c"},
		{name: "cookie", x: all, headers: map[string][]string{"Cookie": {"session=a.b.c"}},
			token: "a.b.c"},
		{name: "two cookies", x: all, headers: map[string][]string{"Cookie": {"session=a.b.c; session=d.e.f"}},
			reason: jwtgate.ErrRequestMalformed},
		{name: "header and cookie", x: all, headers: map[string][]string{
			"Authorization": {"Bearer a.b.c"}, "Cookie": {"session=a.b.c"}},
			reason: jwtgate.ErrRequestMalformed},
		{name: "header and query", x: all, headers: auth("Bearer a.b.c"), target: "/?access_token=a.b.c",
			reason: jwtgate.ErrRequestMalformed},
		{name: "authorization off", x: jwtgate.Extractor{NoAuthorization: true, Cookie: "session"},
			headers: auth("Bearer a.b.c"), reason: jwtgate.ErrTokenMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := tt.target
			if target == "" {
				target = "/"
			}
			r := httptest.NewRequest(http.MethodGet, target, nil)
			for k, vs := range tt.headers {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			token, err := tt.x.FromHTTP(r)
			if tt.reason != nil {
				if !errors.Is(err, tt.reason) {
					t.Fatalf("err = %v, want %v", err, tt.reason)
				}
				return
			}
			if err != nil || token != tt.token {
				t.Fatalf("got %q, %v; want %q", token, err, tt.token)
			}
		})
	}
}

func auth(values ...string) map[string][]string {
	return map[string][]string{"Authorization": values}
}
