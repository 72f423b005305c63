package jwtgate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Defaults of the Config fields that have one.
const (
	DefaultMaxTokenSize       = 8 << 10
	DefaultMaxBodySize        = 1 << 20
	DefaultFetchTimeout       = 10 * time.Second
	DefaultRefreshInterval    = 5 * time.Minute
	DefaultMinRefreshInterval = 1 * time.Minute
	DefaultMaxRefreshInterval = 15 * time.Minute
	DefaultRefreshCooldown    = 30 * time.Second
	DefaultMaxStaleAge        = 6 * time.Hour
	DefaultMaxRetryInterval   = 1 * time.Minute
	DefaultRealm              = "api"
	DefaultTokenCacheEntries  = 32 << 10
	DefaultTokenCacheBytes    = 64 << 20
)

// Config configures a Gate. Only Issuers and Audience must be set; every
// other field has a safe default, named in its comment.
type Config struct {
	// Issuers lists the token issuers the Gate accepts, each with its
	// own keys. A token's iss chooses the issuer, and only that issuer's
	// keys may verify it. At least one is required.
	Issuers []Issuer

	// Audience lists the accepted aud values; a token must name at least
	// one of them, compared exactly. Required unless SkipAudience is set.
	Audience []string

	// SkipAudience accepts tokens whatever their aud names; an aud of
	// the wrong shape is still rejected. Use it only for
	// tokens that carry no audience (Amazon Cognito access tokens name
	// their client in client_id: check it in Check instead). Default
	// false.
	SkipAudience bool

	// Algorithms is the allow-list of token algorithms. Empty (the
	// default) allows RS256, RS384, RS512, PS256, PS384, PS512, ES256,
	// ES384, ES512 and EdDSA when any issuer has a remote key set, plus
	// the algorithms the static keys fit. "none" is never allowed, and
	// HS* only with static secrets.
	Algorithms []string

	// Leeway is the clock skew tolerated in exp, nbf and iat. Default 0.
	Leeway time.Duration

	// ExpOptional accepts tokens without exp. Default false: exp is
	// required, as a token that never expires cannot be revoked.
	ExpOptional bool

	// RequiredClaims lists claims that must be present and not null,
	// such as "sub" or "jti"; at most 64. Default none.
	RequiredClaims []string

	// Type, when set, is the required header typ, such as "at+jwt"
	// (RFC 9068). It is compared case-insensitively, with or without an
	// "application/" prefix, as RFC 7515 allows. Default: any or none.
	Type string

	// Scopes lists scopes every token must grant. Default none; routes
	// add their own through the adapters.
	Scopes []string

	// Check, when set, runs on every token that passed all other
	// checks. Its error rejects the token; an *Error keeps its reason,
	// any other error becomes ErrClaimRejected with a generic
	// description.
	Check func(ctx context.Context, c *Claims) error

	// MaxTokenSize is the longest token accepted, in bytes, checked
	// before any decoding. Default DefaultMaxTokenSize (8 KiB).
	MaxTokenSize int

	// Realm is the realm of the WWW-Authenticate challenge. Default
	// DefaultRealm.
	Realm string

	// HTTPClient fetches key sets and discovery documents. Default: a
	// client of its own. The Gate applies FetchTimeout itself and
	// replaces CheckRedirect with its same-origin, no-downgrade policy.
	HTTPClient *http.Client

	// FetchTimeout bounds each fetch, independent of any request.
	// Default DefaultFetchTimeout (10 s).
	FetchTimeout time.Duration

	// MaxBodySize caps a key set or discovery document, in bytes.
	// Default DefaultMaxBodySize (1 MiB).
	MaxBodySize int64

	// RefreshInterval is how often a remote key set is fetched when the
	// response has no Cache-Control max-age. Default
	// DefaultRefreshInterval (5 minutes): a key the issuer withdraws is
	// trusted at most this long plus FetchTimeout, and one fetch per
	// five minutes costs an issuer nothing.
	RefreshInterval time.Duration

	// MinRefreshInterval and MaxRefreshInterval clamp a response's
	// max-age. Defaults DefaultMinRefreshInterval (1 minute) and
	// DefaultMaxRefreshInterval (15 minutes).
	MinRefreshInterval time.Duration
	MaxRefreshInterval time.Duration

	// RefreshCooldown is the least time between two refreshes caused by
	// an unknown kid. Requests never wait for the cooldown: within it, an
	// unknown kid joins a fetch that is already running, if any, and is
	// otherwise rejected at once. Default DefaultRefreshCooldown (30 s),
	// which is also the longest a flood of made-up kids can delay the
	// first acceptance of a genuinely new key.
	RefreshCooldown time.Duration

	// MaxStaleAge is how long the last good key set keeps serving while
	// refreshes fail. After it the Gate fails closed with
	// ErrKeysUnavailable. Default DefaultMaxStaleAge (6 hours).
	MaxStaleAge time.Duration

	// MaxRetryInterval caps the jittered exponential backoff between
	// failed fetches, which starts at one second. Default
	// DefaultMaxRetryInterval (1 minute).
	MaxRetryInterval time.Duration

	// DisableTokenCache turns off the cache of verified tokens, so that
	// every validation checks the signature. Default false: a token the
	// Gate accepted before is answered from the cache, keyed by the
	// SHA-256 of the whole token, for as long as the key that verified
	// it stays in its issuer's key set and the token's exp, nbf and iat
	// hold. Each hit runs the time checks and Check again; everything
	// else a validation checks depends only on the token and this
	// Config. Rejections are never cached. Hits share one *Claims, so
	// treat Claims as read-only.
	DisableTokenCache bool

	// TokenCacheEntries bounds the number of cached tokens. Default
	// DefaultTokenCacheEntries (32768); it is rounded up to a power of
	// two.
	TokenCacheEntries int

	// TokenCacheBytes bounds the memory the cached claims keep alive,
	// estimated per entry as about twice the payload plus 300 bytes.
	// Default DefaultTokenCacheBytes (64 MiB), which holds the default
	// number of entries for payloads up to about 900 bytes.
	TokenCacheBytes int64

	// Logger receives background events: fetch failures, recoveries and
	// skipped keys. Nothing is logged per request. Default nil: silent.
	Logger *slog.Logger

	// Hooks receives events for metrics. Default none.
	Hooks Hooks

	// Now is the clock for claim checks. Default time.Now.
	Now func() time.Time
}

// Issuer is one accepted token issuer and where its keys come from:
// a JWKS URL, static keys, or, when both are empty, OpenID Connect
// discovery from Name.
type Issuer struct {
	// Name is the issuer identifier, compared exactly with the token's
	// iss: no case folding and no trailing-slash normalisation.
	Name string

	// JWKSURL is the key set's URL. It must be https, or http on a
	// loopback address.
	JWKSURL string

	// Keys are static keys. Static HMAC secrets are the only symmetric
	// keys a Gate accepts.
	Keys []StaticKey
}

// Hooks are optional callbacks for metrics. Each nil field costs
// nothing.
type Hooks struct {
	// OnFetch is called after every key-set fetch attempt, on a
	// background goroutine.
	OnFetch func(FetchEvent)

	// OnValidate is called after every validation with nil for an
	// accepted token or the reason sentinel of the rejection. It runs on
	// the request path: keep it fast.
	OnValidate func(reason error)
}

// FetchEvent describes one key-set fetch attempt.
type FetchEvent struct {
	Issuer   string        // the issuer's Name
	URL      string        // the key set URL, once known
	Err      error         // nil on success
	Duration time.Duration // wall time of the attempt
	Keys     int           // usable keys in the new set
	Skipped  int           // keys of the document that were skipped
	Trigger  string        // "initial", "periodic", "retry" or "unknown-kid"
}

// withDefaults returns a copy of c with every default applied, or an
// error that names the first invalid field.
func (c Config) withDefaults() (Config, error) {
	if len(c.Issuers) == 0 {
		return c, errors.New("jwtgate: Config.Issuers is empty")
	}
	if len(c.Audience) == 0 && !c.SkipAudience {
		return c, errors.New("jwtgate: Config.Audience is empty (set SkipAudience to accept any)")
	}
	for _, a := range c.Audience {
		if a == "" {
			return c, errors.New("jwtgate: Config.Audience holds an empty string")
		}
	}
	if len(c.RequiredClaims) > 64 {
		return c, errors.New("jwtgate: Config.RequiredClaims lists more than 64 claims")
	}
	if c.Leeway < 0 {
		return c, errors.New("jwtgate: Config.Leeway is negative")
	}
	setDefault(&c.MaxTokenSize, DefaultMaxTokenSize)
	setDefault(&c.MaxBodySize, DefaultMaxBodySize)
	setDefault(&c.FetchTimeout, DefaultFetchTimeout)
	setDefault(&c.RefreshInterval, DefaultRefreshInterval)
	setDefault(&c.MinRefreshInterval, DefaultMinRefreshInterval)
	setDefault(&c.MaxRefreshInterval, DefaultMaxRefreshInterval)
	setDefault(&c.RefreshCooldown, DefaultRefreshCooldown)
	setDefault(&c.MaxStaleAge, DefaultMaxStaleAge)
	setDefault(&c.MaxRetryInterval, DefaultMaxRetryInterval)
	setDefault(&c.Realm, DefaultRealm)
	setDefault(&c.TokenCacheEntries, DefaultTokenCacheEntries)
	setDefault(&c.TokenCacheBytes, DefaultTokenCacheBytes)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MinRefreshInterval > c.MaxRefreshInterval {
		return c, fmt.Errorf("jwtgate: MinRefreshInterval %v exceeds MaxRefreshInterval %v",
			c.MinRefreshInterval, c.MaxRefreshInterval)
	}
	return c, nil
}

// setDefault stores def in *v when *v is zero or negative.
func setDefault[T int | int64 | time.Duration | string](v *T, def T) {
	var zero T
	if *v <= zero {
		*v = def
	}
}
