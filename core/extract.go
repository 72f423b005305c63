package jwtgate

import (
	"net/http"
	"strings"
)

// Carrier gives an Extractor read access to one request. Adapters
// implement it over their framework's request; HTTPCarrier covers
// *http.Request.
type Carrier interface {
	// Header returns every value of the named request header, in order.
	Header(name string) []string

	// Cookie returns the value of every cookie with that name.
	Cookie(name string) []string

	// Query returns every value of the named query parameter.
	Query(name string) []string
}

// Extractor finds the token in a request. Its zero value reads the
// Bearer credentials of the Authorization header only.
//
// A request with tokens in more than one source, with a source repeated
// (two Authorization headers, two cookies of one name), or with a
// Bearer scheme but no usable token is malformed (ErrRequestMalformed).
// A request with no token in any source, including one whose
// Authorization header uses another scheme such as Basic, has no token
// (ErrTokenMissing).
type Extractor struct {
	// Cookie names a cookie that may hold the bare token. Empty (the
	// default) reads no cookie.
	Cookie string

	// Header names a request header, other than Authorization, that
	// holds the bare token, such as X-Access-Token. Empty (the default)
	// reads none.
	Header string

	// Query names a URL query parameter that may hold the token. Empty
	// (the default) reads none. Tokens in URLs end up in access logs and
	// browser history: enable this only for clients that cannot send
	// headers, such as a WebSocket handshake from a browser.
	Query string

	// NoAuthorization turns off the Authorization header, leaving only
	// the sources above. False (the default) reads it.
	NoAuthorization bool
}

// Extract returns the request's token. The returned string may share
// memory with the request; copy it if the framework reuses buffers.
func (x Extractor) Extract(c Carrier) (string, error) {
	var token string
	found := 0
	take := func(t string, err error) error {
		if err != nil || t == "" {
			return err
		}
		token = t
		found++
		return nil
	}

	if !x.NoAuthorization {
		if err := take(bearer(c.Header("Authorization"))); err != nil {
			return "", err
		}
	}
	if x.Header != "" {
		if err := take(bare(c.Header(x.Header))); err != nil {
			return "", err
		}
	}
	if x.Cookie != "" {
		if err := take(bare(c.Cookie(x.Cookie))); err != nil {
			return "", err
		}
	}
	if x.Query != "" {
		if err := take(bare(c.Query(x.Query))); err != nil {
			return "", err
		}
	}

	switch found {
	case 0:
		return "", errMissing
	case 1:
		return token, nil
	}
	return "", reject(ErrRequestMalformed, "token in more than one place")
}

// FromHTTP is Extract over a standard library request.
func (x Extractor) FromHTTP(r *http.Request) (string, error) {
	return x.Extract(HTTPCarrier(r))
}

// HTTPCarrier returns a Carrier over r.
func HTTPCarrier(r *http.Request) Carrier { return httpCarrier{r} }

type httpCarrier struct{ r *http.Request }

func (c httpCarrier) Header(name string) []string { return c.r.Header.Values(name) }

func (c httpCarrier) Cookie(name string) []string {
	cookies := c.r.CookiesNamed(name)
	vals := make([]string, len(cookies))
	for i, ck := range cookies {
		vals[i] = ck.Value
	}
	return vals
}

func (c httpCarrier) Query(name string) []string { return c.r.URL.Query()[name] }

var errMissing = &Error{Reason: ErrTokenMissing}

// bearer reads RFC 6750 credentials from the Authorization header
// values: "" with no error when there are none or another scheme is used.
func bearer(values []string) (string, error) {
	switch len(values) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", reject(ErrRequestMalformed, "more than one Authorization header")
	}
	v := values[0]
	scheme, rest, _ := strings.Cut(v, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", nil
	}
	return tokenValue(strings.TrimLeft(rest, " "))
}

// bare reads a token that stands alone in a header, cookie or query
// parameter.
func bare(values []string) (string, error) {
	switch len(values) {
	case 0:
		return "", nil
	case 1:
		if values[0] == "" {
			return "", nil
		}
		return tokenValue(values[0])
	}
	return "", reject(ErrRequestMalformed, "token source repeated")
}

// tokenValue checks that t is one non-empty word with no separators.
func tokenValue(t string) (string, error) {
	if t == "" {
		return "", reject(ErrRequestMalformed, "bearer token is empty")
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; c <= ' ' || c == ',' || c == 0x7f {
			return "", reject(ErrRequestMalformed, "bearer token contains a separator")
		}
	}
	return t, nil
}
