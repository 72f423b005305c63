package jwtgate_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
)

func TestResponseFor(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		status     int
		challenge  string
		retryAfter string
		body       string
	}{
		{
			name:      "missing token",
			err:       &jwtgate.Error{Reason: jwtgate.ErrTokenMissing},
			status:    401,
			challenge: `Bearer realm="api"`,
			body:      `{"error":"unauthorized","error_description":"a bearer token is required"}`,
		},
		{
			name:   "malformed request",
			err:    &jwtgate.Error{Reason: jwtgate.ErrRequestMalformed, Description: "bearer token is empty"},
			status: 400,
			challenge: `Bearer realm="api", error="invalid_request", ` +
				`error_description="bearer token is empty"`,
			body: `{"error":"invalid_request","error_description":"bearer token is empty"}`,
		},
		{
			name:   "expired",
			err:    &jwtgate.Error{Reason: jwtgate.ErrTokenExpired},
			status: 401,
			challenge: `Bearer realm="api", error="invalid_token", ` +
				`error_description="token is expired"`,
			body: `{"error":"invalid_token","error_description":"token is expired"}`,
		},
		{
			name:   "insufficient scope",
			err:    &jwtgate.Error{Reason: jwtgate.ErrInsufficientScope, Scopes: []string{"admin", "write"}},
			status: 403,
			challenge: `Bearer realm="api", error="insufficient_scope", ` +
				`error_description="the token lacks a required scope", scope="admin write"`,
			body: `{"error":"insufficient_scope","error_description":"the token lacks a required scope",` +
				`"scope":"admin write"}`,
		},
		{
			name:       "keys unavailable",
			err:        &jwtgate.Error{Reason: jwtgate.ErrKeysUnavailable, RetryAfter: 2500 * time.Millisecond},
			status:     503,
			challenge:  `Bearer realm="api"`,
			retryAfter: "3",
			body: `{"error":"temporarily_unavailable",` +
				`"error_description":"signing keys are unavailable, retry later"}`,
		},
		{
			name:       "keys unavailable, retry due now",
			err:        &jwtgate.Error{Reason: jwtgate.ErrKeysUnavailable},
			status:     503,
			challenge:  `Bearer realm="api"`,
			retryAfter: "1",
			body: `{"error":"temporarily_unavailable",` +
				`"error_description":"signing keys are unavailable, retry later"}`,
		},
		{
			name:   "foreign error",
			err:    errors.New("some detail that must not leak"),
			status: 401,
			challenge: `Bearer realm="api", error="invalid_token", ` +
				`error_description="the token was rejected"`,
			body: `{"error":"invalid_token","error_description":"the token was rejected"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := jwtgate.ResponseFor(tt.err, "api")
			if r.Status != tt.status || r.WWWAuthenticate != tt.challenge ||
				r.RetryAfter != tt.retryAfter || string(r.Body) != tt.body {
				t.Errorf("ResponseFor = %d %q %q %s\nwant %d %q %q %s", r.Status, r.WWWAuthenticate,
					r.RetryAfter, r.Body, tt.status, tt.challenge, tt.retryAfter, tt.body)
			}
			if !json.Valid(r.Body) {
				t.Errorf("body is not JSON: %s", r.Body)
			}
		})
	}
}

func TestResponseEscaping(t *testing.T) {
	err := &jwtgate.Error{Reason: jwtgate.ErrInsufficientScope, Scopes: []string{`a"b\c`, "d\x01é"}}
	r := jwtgate.ResponseFor(err, "my \"realm\"")
	want := `Bearer realm="my realm", error="insufficient_scope", ` +
		`error_description="the token lacks a required scope", scope="abc d"`
	if r.WWWAuthenticate != want {
		t.Errorf("challenge = %q, want %q", r.WWWAuthenticate, want)
	}
	var body map[string]string
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("body %s: %v", r.Body, err)
	}
	if body["scope"] != "a\"b\\c d\x01é" {
		t.Errorf("body scope = %q", body["scope"])
	}
}

func TestResponseWrite(t *testing.T) {
	rec := httptest.NewRecorder()
	err := &jwtgate.Error{Reason: jwtgate.ErrKeysUnavailable, RetryAfter: time.Minute}
	jwtgate.ResponseFor(err, "api").Write(rec)
	h := rec.Result().Header
	if rec.Code != http.StatusServiceUnavailable || h.Get("Retry-After") != "60" ||
		h.Get("Content-Type") != jwtgate.ContentType || h.Get("Cache-Control") != "no-store" ||
		h.Get("WWW-Authenticate") != `Bearer realm="api"` {
		t.Errorf("got %d %v", rec.Code, h)
	}
}

func TestErrorMatchesGolangJWT(t *testing.T) {
	err := error(&jwtgate.Error{Reason: jwtgate.ErrTokenExpired, Err: errors.New("cause")})
	if !errors.Is(err, jwtgate.ErrTokenExpired) {
		t.Error("errors.Is(err, ErrTokenExpired) = false")
	}
	if errors.Is(err, jwtgate.ErrTokenMalformed) {
		t.Error("errors.Is(err, ErrTokenMalformed) = true")
	}
	var e *jwtgate.Error
	if !errors.As(err, &e) || e.Status() != 401 || e.Code() != "invalid_token" {
		t.Errorf("errors.As gave %v", e)
	}
	if jwtgate.Reason(err) != jwtgate.ErrTokenExpired || jwtgate.Reason(nil) != nil {
		t.Error("Reason does not return the sentinel")
	}
}
