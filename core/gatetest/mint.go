package gatetest

import (
	"cmp"
	"errors"
	"fmt"
	"time"
)

// Claims returns the claims Mint starts from, as a new map the caller may
// change: iss is URL, aud is Audience, sub is "user-1", iat is now and exp
// is an hour from now, times being Unix seconds as int64 values read from
// time.Now.
func (i *Issuer) Claims() map[string]any {
	now := time.Now().Unix()
	return map[string]any{
		"iss": i.URL,
		"aud": Audience,
		"sub": "user-1",
		"iat": now,
		"exp": now + int64(time.Hour/time.Second),
	}
}

// Mint returns a signed compact JWT. Its claims are those of Claims,
// overridden by the given claims; a given claim whose value is nil is
// removed instead. Its header has alg, typ ("JWT") and kid members.
//
// Mint signs with the default key, the key added last, unless options
// choose another. It fails the test when it cannot sign, so call it from
// the goroutine running the test.
func (i *Issuer) Mint(claims map[string]any, opts ...TokenOption) string {
	i.t.Helper()
	var o tokenOptions
	for _, opt := range opts {
		opt(&o)
	}

	key, alg, err := i.signingKey(o)
	if err != nil {
		i.t.Fatalf("gatetest: Mint: %v", err)
	}
	token, err := sign(alg, o.header(alg, key.kid), i.merge(claims), key.signer)
	if err != nil {
		i.t.Fatalf("gatetest: Mint: %v", err)
	}
	return token
}

// merge returns the default claims overridden by claims.
func (i *Issuer) merge(claims map[string]any) map[string]any {
	merged := i.Claims()
	for name, value := range claims {
		if value == nil {
			delete(merged, name)
		} else {
			merged[name] = value
		}
	}
	return merged
}

// signingKey returns the key and algorithm o asks for.
func (i *Issuer) signingKey(o tokenOptions) (*issuerKey, string, error) {
	i.mu.Lock()
	defer i.mu.Unlock()

	switch {
	case o.key != "":
		for _, k := range i.keys {
			if k.kid == o.key {
				return k, cmp.Or(o.alg, k.alg), nil
			}
		}
		return nil, "", fmt.Errorf("no key with kid %q", o.key)
	case o.alg != "":
		if k := i.newestFor(o.alg); k != nil {
			return k, o.alg, nil
		}
		return nil, "", fmt.Errorf("no key can sign %s", o.alg)
	case len(i.keys) > 0:
		k := i.keys[len(i.keys)-1]
		return k, k.alg, nil
	}
	return nil, "", errors.New("issuer has no keys")
}

// TokenOption changes how Mint signs a token.
type TokenOption func(*tokenOptions)

// tokenOptions collects the effect of TokenOptions.
type tokenOptions struct {
	key     string // kid of the signing key; "" for the default
	alg     string // algorithm; "" for the key's own
	kid     string // header kid when setKID
	setKID  bool
	omitKID bool
	members []headerMember // applied last, in order
}

// headerMember is one header member set by WithHeader.
type headerMember struct {
	name  string
	value any
}

// header returns the JOSE header of a token signed with alg by key kid.
func (o tokenOptions) header(alg, kid string) map[string]any {
	h := map[string]any{"alg": alg, "typ": "JWT", "kid": kid}
	switch {
	case o.omitKID:
		delete(h, "kid")
	case o.setKID:
		h["kid"] = o.kid
	}
	for _, m := range o.members {
		if m.value == nil {
			delete(h, m.name)
		} else {
			h[m.name] = m.value
		}
	}
	return h
}

// WithKey signs with the issuer's key kid, published or not, using that
// key's own algorithm unless WithAlg names another. The header kid is kid.
func WithKey(kid string) TokenOption {
	return func(o *tokenOptions) { o.key = kid }
}

// WithAlg signs with alg. Without WithKey, the key is the newest one,
// published or not, that can sign alg. With WithKey, the key's algorithm
// is overridden, which can make signing fail when the key does not suit
// alg.
func WithAlg(alg string) TokenOption {
	return func(o *tokenOptions) { o.alg = alg }
}

// WithKID sets the header kid to kid, whatever key signs the token: an
// unknown kid, say, or the kid of another key.
func WithKID(kid string) TokenOption {
	return func(o *tokenOptions) {
		o.kid, o.setKID, o.omitKID = kid, true, false
	}
}

// WithoutKID leaves the kid member out of the header.
func WithoutKID() TokenOption {
	return func(o *tokenOptions) { o.setKID, o.omitKID = false, true }
}

// WithHeader sets the header member name to value, or removes it when
// value is nil. It applies after every other option and may change any
// member, alg included; the key and algorithm that sign stay those the
// other options chose, and the signature covers the final header.
func WithHeader(name string, value any) TokenOption {
	return func(o *tokenOptions) {
		o.members = append(o.members, headerMember{name, value})
	}
}
