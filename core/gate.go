package jwtgate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Gate validates tokens against its issuers' keys. It is safe for
// concurrent use; build one per protected service and share it. Close
// stops its background fetches.
type Gate struct {
	cfg      Config
	allowed  algSet
	issuers  []*issuerKeys
	single   *issuerKeys // the only issuer, when there is one
	byName   map[string]*issuerKeys
	typ      string      // Config.Type, lower case, without "application/"
	tokens   *tokenCache // verified tokens; nil when disabled
	stats    counters
	closed   atomic.Bool
	closeMux sync.Mutex // serialises Close
}

// issuerKeys is one issuer and its key source: static keys or a remote
// set, never both.
type issuerKeys struct {
	name   string
	static *keySet
	remote *remoteSet
}

// keys returns the issuer's usable key set, or nil when a remote set
// was never fetched or is past its maximum stale age.
func (ik *issuerKeys) keys() *keySet {
	if ik.static != nil {
		return ik.static
	}
	return ik.remote.current()
}

// counters are the Gate's background event counts.
type counters struct {
	fetches    atomic.Uint64
	failures   atomic.Uint64
	skipped    atomic.Uint64
	unknownKID atomic.Uint64
}

// New builds a Gate and starts fetching the remote key sets in the
// background. It checks the configuration but does no network I/O, so
// it neither fails nor waits when an issuer is down; use Ready to wait
// for the keys.
func New(cfg Config) (*Gate, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	g := &Gate{cfg: cfg, byName: map[string]*issuerKeys{}}
	g.typ = normalizeType(cfg.Type)

	var available algSet
	for _, is := range cfg.Issuers {
		ik, algs, err := g.checkIssuer(is)
		if err != nil {
			return nil, err
		}
		available |= algs
		g.issuers = append(g.issuers, ik)
		g.byName[is.Name] = ik
	}
	if len(g.issuers) == 1 {
		g.single = g.issuers[0]
	}

	g.allowed = available
	if !cfg.DisableTokenCache {
		g.tokens = newTokenCache(cfg.TokenCacheEntries, cfg.TokenCacheBytes, cfg.Leeway)
	}
	if len(cfg.Algorithms) > 0 {
		if g.allowed, err = parseAlgs(cfg.Algorithms); err != nil {
			return nil, err
		}
	}

	// Only now that nothing can fail start the background fetches.
	f := newFetcher(cfg.HTTPClient, cfg.MaxBodySize)
	for i, is := range cfg.Issuers {
		if g.issuers[i].static == nil {
			g.issuers[i].remote = newRemoteSet(is.Name, is.JWKSURL, &g.cfg, f, &g.stats)
		}
	}
	return g, nil
}

// checkIssuer validates one issuer's configuration and returns its key
// source (static keys ready, remote not started yet) and the algorithms
// its keys can verify.
func (g *Gate) checkIssuer(is Issuer) (*issuerKeys, algSet, error) {
	if is.Name == "" {
		return nil, 0, errors.New("jwtgate: issuer with an empty Name")
	}
	if _, dup := g.byName[is.Name]; dup {
		return nil, 0, fmt.Errorf("jwtgate: issuer %q configured twice", is.Name)
	}
	ik := &issuerKeys{name: is.Name}
	switch {
	case len(is.Keys) > 0 && is.JWKSURL != "":
		return nil, 0, fmt.Errorf("jwtgate: issuer %q has both Keys and JWKSURL", is.Name)
	case len(is.Keys) > 0:
		set, err := staticKeySet(is.Keys)
		if err != nil {
			return nil, 0, err
		}
		ik.static = set
		return ik, set.algs(), nil
	case is.JWKSURL != "":
		if err := checkFetchURL(is.JWKSURL); err != nil {
			return nil, 0, err
		}
	default:
		if err := checkFetchURL(is.Name); err != nil {
			return nil, 0, fmt.Errorf("jwtgate: issuer %q: discovery: %w", is.Name, err)
		}
	}
	return ik, asymmetricAlgs, nil
}

// Ready waits until every remote issuer has a key set, and returns nil,
// or until ctx ends, and returns an error that wraps ErrKeysUnavailable
// and the last fetch error. After Close it returns ErrClosed.
func (g *Gate) Ready(ctx context.Context) error {
	if g.closed.Load() {
		return reject(ErrClosed, "")
	}
	for _, ik := range g.issuers {
		r := ik.remote
		if r == nil {
			continue
		}
		select {
		case <-r.ready:
		case <-r.done:
			return reject(ErrClosed, "")
		case <-ctx.Done():
			return r.unavailable(ctx.Err())
		}
	}
	return nil
}

// Close stops all background work and waits for it to end. Validation
// after Close fails with ErrClosed. Close is idempotent.
func (g *Gate) Close() error {
	g.closeMux.Lock()
	defer g.closeMux.Unlock()
	if g.closed.Swap(true) {
		return nil
	}
	for _, ik := range g.issuers {
		if ik.remote != nil {
			ik.remote.close()
		}
	}
	return nil
}

// Response maps err to the HTTP response, with the Gate's realm.
func (g *Gate) Response(err error) Response {
	return ResponseFor(err, g.cfg.Realm)
}

// Key returns the key that would verify a token of issuer with the
// given kid (empty for none) and alg, waiting like a validation would:
// for the first fetch, or for one shared refresh on an unknown kid. It
// returns an *Error as Validate does. The key is an *rsa.PublicKey,
// *ecdsa.PublicKey, ed25519.PublicKey or, for static HMAC, []byte.
func (g *Gate) Key(ctx context.Context, issuer, kid, alg string) (any, error) {
	ik := g.issuer(issuer)
	if ik == nil {
		return nil, reject(ErrIssuer, "")
	}
	i, ok := algIndex([]byte(alg))
	if !ok || g.allowed&(1<<i) == 0 {
		return nil, reject(ErrAlgorithm, "")
	}
	k, err := g.key(ctx, ik, []byte(kid), kid != "", i, nil)
	if err != nil {
		return nil, err
	}
	return k.pub, nil
}

func (g *Gate) issuer(name string) *issuerKeys {
	if g.single != nil {
		if g.single.name == name {
			return g.single
		}
		return nil
	}
	return g.byName[name]
}

// key finds the key for a token. precheck, when not nil, runs before an
// unknown kid may cause a refresh, so that tokens doomed for other
// reasons never cost the issuer a fetch.
func (g *Gate) key(ctx context.Context, ik *issuerKeys, kid []byte, hasKID bool, alg int,
	precheck func() error) (*verifyKey, error) {
	if g.closed.Load() {
		return nil, reject(ErrClosed, "")
	}
	if ik.static != nil {
		k, known := ik.static.find(kid, hasKID, alg)
		if k == nil {
			return nil, keyMiss(known, hasKID)
		}
		return k, nil
	}

	r := ik.remote
	s := r.current()
	if s == nil {
		// No usable set: wait for the first fetch if it is under way. It
		// may also have finished between the two looks.
		if call := r.cold(); call != nil {
			if err := wait(ctx, call); err != nil {
				return nil, r.unavailable(err)
			}
		}
		if s = r.current(); s == nil {
			return nil, r.unavailable(nil)
		}
	}
	k, known := s.find(kid, hasKID, alg)
	if k != nil {
		return k, nil
	}
	if known || !hasKID {
		return nil, keyMiss(known, hasKID)
	}

	// An unknown kid: maybe a new key. Refresh once, shared, unless the
	// cooldown forbids it or the token fails anyway.
	if precheck != nil {
		if err := precheck(); err != nil {
			return nil, err
		}
	}
	call := r.refreshForKID()
	if call == nil {
		if err := r.failing(); err != nil {
			return nil, r.unavailable(err)
		}
		return nil, keyMiss(false, true)
	}
	fetchErr := wait(ctx, call)
	if ctx.Err() != nil {
		return nil, r.unavailable(ctx.Err())
	}
	if s = r.current(); s == nil {
		return nil, r.unavailable(fetchErr)
	}
	if k, known = s.find(kid, hasKID, alg); k == nil {
		// A kid the issuer could not be asked about is not known to be
		// bad: while fetches fail, it is the keys that are unavailable.
		if fetchErr != nil && !known {
			return nil, r.unavailable(fetchErr)
		}
		return nil, keyMiss(known, hasKID)
	}
	return k, nil
}

func keyMiss(known, hasKID bool) *Error {
	switch {
	case known:
		return reject(ErrAlgorithm, "the algorithm does not fit the key")
	case !hasKID:
		return reject(ErrKeyNotFound, "the token has no kid and the issuer has several keys")
	}
	return reject(ErrKeyNotFound, "unknown kid")
}

// Stats is a snapshot of the Gate's background activity.
type Stats struct {
	Fetches             uint64        // key-set fetch attempts
	FetchFailures       uint64        // attempts that failed
	KeysSkipped         uint64        // keys skipped over all fetches
	UnknownKIDRefreshes uint64        // refreshes caused by an unknown kid
	Issuers             []IssuerStats // one per configured issuer, in order
	TokenCache          TokenCacheStats
}

// IssuerStats describes one issuer's key set.
type IssuerStats struct {
	Name    string
	URL     string        // the key set URL, once known; "" for static keys
	Keys    int           // usable keys in the current set
	Age     time.Duration // time since the current set was fetched
	Ready   bool          // a usable set exists
	LastErr error         // the last fetch's error, nil after a success
}

// Stats returns the counters and each issuer's cache state.
func (g *Gate) Stats() Stats {
	st := Stats{
		Fetches:             g.stats.fetches.Load(),
		FetchFailures:       g.stats.failures.Load(),
		KeysSkipped:         g.stats.skipped.Load(),
		UnknownKIDRefreshes: g.stats.unknownKID.Load(),
		TokenCache:          g.tokens.stats(),
	}
	for _, ik := range g.issuers {
		is := IssuerStats{Name: ik.name}
		s := ik.static
		if r := ik.remote; r != nil {
			s = r.current()
			r.mu.Lock()
			is.URL, is.LastErr = r.url, r.lastErr
			r.mu.Unlock()
		}
		if s != nil {
			is.Keys, is.Age, is.Ready = len(s.keys), time.Since(s.fetched), true
		}
		st.Issuers = append(st.Issuers, is)
	}
	return st
}

func normalizeType(t string) string {
	t = strings.ToLower(t)
	return strings.TrimPrefix(t, "application/")
}
