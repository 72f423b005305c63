package jwtgate

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ContentType is the media type of Response.Body.
const ContentType = "application/json"

// Response is the HTTP answer to a rejected request, the same in every
// adapter: status, RFC 6750 challenge, optional Retry-After and a JSON
// body. Adapters write it with their framework's own calls.
type Response struct {
	// Status is the HTTP status code: 400, 401, 403 or 503.
	Status int

	// WWWAuthenticate is the value of the WWW-Authenticate header: a
	// Bearer challenge with the realm and, except for a missing token,
	// the RFC 6750 error code, a description and the missing scopes.
	WWWAuthenticate string

	// RetryAfter is the value of the Retry-After header in seconds, or
	// "" when the header is not sent (only 503 responses carry it).
	RetryAfter string

	// Body is a JSON object with "error", "error_description" and, for
	// insufficient_scope, "scope".
	Body []byte
}

// ResponseFor maps err to the response a server sends. Errors that are
// not an *Error (a panic-free fallback for foreign errors) map to 401
// invalid_token. realm names the protected space in the challenge.
func ResponseFor(err error, realm string) Response {
	e := asError(err)
	code := e.Code()
	desc := e.description()
	scope := strings.Join(e.Scopes, " ")

	var ch strings.Builder
	ch.WriteString(`Bearer realm="`)
	ch.WriteString(quoteSafe(realm))
	ch.WriteByte('"')
	if code != "" && code != "temporarily_unavailable" {
		ch.WriteString(`, error="` + code + `"`)
		ch.WriteString(`, error_description="` + quoteSafe(desc) + `"`)
		if scope != "" {
			ch.WriteString(`, scope="` + quoteSafe(scope) + `"`)
		}
	}

	r := Response{Status: e.Status(), WWWAuthenticate: ch.String()}
	if r.Status == http.StatusServiceUnavailable {
		r.RetryAfter = strconv.Itoa(retrySeconds(e.RetryAfter))
	}
	r.Body = responseBody(code, desc, scope)
	return r
}

// Write sends r on w.
func (r Response) Write(w http.ResponseWriter) {
	h := w.Header()
	h.Set("WWW-Authenticate", r.WWWAuthenticate)
	if r.RetryAfter != "" {
		h.Set("Retry-After", r.RetryAfter)
	}
	h.Set("Content-Type", ContentType)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(r.Status)
	w.Write(r.Body)
}

// description returns the text for error_description: the error's own
// short description, else a fixed phrase for its reason.
func (e *Error) description() string {
	if e.Description != "" {
		return e.Description
	}
	switch e.Reason {
	case ErrTokenMissing:
		return "a bearer token is required"
	case ErrRequestMalformed:
		return "malformed credentials"
	case ErrInsufficientScope:
		return "the token lacks a required scope"
	case ErrKeysUnavailable:
		return "signing keys are unavailable, retry later"
	case ErrClosed:
		return "the service is shutting down"
	case ErrClaimRejected:
		return "the token was rejected"
	}
	return strings.TrimPrefix(e.Reason.Error(), "jwtgate: ")
}

func responseBody(code, desc, scope string) []byte {
	if code == "" {
		code = "unauthorized"
	}
	b := make([]byte, 0, 64+len(desc)+len(scope))
	b = append(b, `{"error":`...)
	b = appendJSONString(b, code)
	b = append(b, `,"error_description":`...)
	b = appendJSONString(b, desc)
	if scope != "" {
		b = append(b, `,"scope":`...)
		b = appendJSONString(b, scope)
	}
	return append(b, '}')
}

// quoteSafe keeps only the characters RFC 6750 allows inside a quoted
// challenge parameter (printable ASCII without '"' and '\').
func quoteSafe(s string) string {
	ok := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func retrySeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// appendJSONString appends s as a JSON string, escaping quotes,
// backslashes and control characters and replacing invalid UTF-8.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}
