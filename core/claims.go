package jwtgate

import (
	"encoding/json"
	"slices"
	"time"
)

// Claims is a validated token: its registered claims, the header
// members that chose the key, and the raw payload for custom claims.
// A Gate never hands out Claims for a token it did not accept.
type Claims struct {
	// Issuer is the iss claim, equal to one configured issuer.
	Issuer string

	// Subject is the sub claim, or "".
	Subject string

	// Audience is the aud claim, always as a list.
	Audience []string

	// ExpiresAt, NotBefore and IssuedAt are exp, nbf and iat, or the
	// zero time when absent.
	ExpiresAt time.Time
	NotBefore time.Time
	IssuedAt  time.Time

	// ID is the jti claim, or "".
	ID string

	// Scopes joins the space-separated scope claim and the scp claim
	// (an array, or a space-separated string as some issuers send it),
	// without duplicates, in token order.
	Scopes []string

	// Algorithm, KeyID and Type are the header's alg, kid and typ.
	Algorithm string
	KeyID     string
	Type      string

	// Raw is the payload JSON exactly as signed. Do not modify it.
	Raw json.RawMessage
}

// Decode unmarshals the payload into v, so that custom claims land in
// the caller's own struct.
func (c *Claims) Decode(v any) error {
	return json.Unmarshal(c.Raw, v)
}

// HasScope reports whether the token grants scope.
func (c *Claims) HasScope(scope string) bool {
	return c != nil && slices.Contains(c.Scopes, scope)
}

// RequireScopes returns nil when the token grants every scope, and
// otherwise an *Error for ErrInsufficientScope that lists the missing
// ones. On nil claims (no token under optional authentication) it
// returns ErrTokenMissing.
func (c *Claims) RequireScopes(scopes ...string) error {
	if c == nil {
		return errMissing
	}
	var missing []string
	for _, s := range scopes {
		if !slices.Contains(c.Scopes, s) {
			missing = append(missing, s)
		}
	}
	if missing == nil {
		return nil
	}
	return &Error{Reason: ErrInsufficientScope, Scopes: missing}
}
