package jwtgate

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxSignatureSize is the longest signature of any supported algorithm:
// RS512 with an 8192-bit key.
const maxSignatureSize = maxRSABits / 8

// Validate checks token and returns its claims. The steps run from the
// cheapest to the dearest, and the claims are decoded only after the
// signature verified:
//
//  1. size and alphabet, before any decoding;
//  2. the header: strict JSON, alg in the allow-list, kid, crit, b64;
//  3. the issuer's key for kid and alg, waiting only for a first fetch
//     or one shared refresh on an unknown kid;
//  4. the signature;
//  5. the claims: exp, nbf, iat, iss, aud, required claims, typ, scopes;
//  6. the Check hook.
//
// A token the Gate accepted before is answered from its verified-token
// cache after step 1, while the key that verified it is still in its
// issuer's key set: exp, nbf, iat and the Check hook run again, and the
// returned Claims are shared with other hits of the same token, so
// treat them as read-only. Config.DisableTokenCache turns this off.
//
// Every error is an *Error wrapping one of the Err sentinels. If ctx
// ends while Validate waits for keys, it returns at once; the shared
// fetch goes on.
func (g *Gate) Validate(ctx context.Context, token string) (*Claims, error) {
	c, err := g.validate(ctx, token)
	if h := g.cfg.Hooks.OnValidate; h != nil {
		h(Reason(err))
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Reason returns the sentinel an error from the Gate wraps, or nil for
// nil. Metrics label outcomes with it.
func Reason(err error) error {
	if err == nil {
		return nil
	}
	return asError(err).Reason
}

func (g *Gate) validate(ctx context.Context, token string) (*Claims, error) {
	// Size first: a token that is too long is neither hashed nor decoded.
	if len(token) > g.cfg.MaxTokenSize {
		return nil, reject(ErrTokenMalformed, "token too large")
	}
	tc := g.tokens
	if tc == nil {
		c, _, _, err := g.verifyToken(ctx, token)
		return c, err
	}
	sum := tokenSum(token)
	if e := tc.lookup(&sum); e != nil {
		if c, hit, err := g.fromCache(ctx, e); hit {
			return c, err
		}
	}
	tc.misses.Add(1)
	c, ik, k, err := g.verifyToken(ctx, token)
	if err != nil {
		return nil, err
	}
	tc.add(&cachedToken{sum: sum, claims: c, issuer: ik, key: k, size: entrySize(c)}, g.cfg.Now())
	return c, nil
}

// fromCache answers for a token found in the cache. hit is false when
// the entry may not answer: the Gate is closed, the issuer has no
// usable key set, or the key that verified the token has left it (the
// entry is then dropped); a full validation must decide. Otherwise the
// time claims and the Check hook run again, as they depend on when and
// where the token is presented.
func (g *Gate) fromCache(ctx context.Context, e *cachedToken) (c *Claims, hit bool, err error) {
	s := e.issuer.keys()
	if s == nil || g.closed.Load() {
		return nil, false, nil
	}
	if !s.holds(e.key) {
		g.tokens.drop(e)
		return nil, false, nil
	}
	if err := g.checkTimes(e.claims); err != nil {
		g.tokens.drop(e)
		return nil, true, err
	}
	if g.cfg.Check != nil {
		if err := g.cfg.Check(ctx, e.claims); err != nil {
			return nil, true, asError(err)
		}
	}
	g.tokens.hits.add()
	return e.claims, true, nil
}

// verifyToken runs every check on a token whose size is within the
// limit and returns its claims with the issuer and key that verified
// them.
func (g *Gate) verifyToken(ctx context.Context, token string) (*Claims, *issuerKeys, *verifyKey, error) {
	// Shape first: nothing is decoded for a token that is not three
	// segments. Each segment's alphabet is checked as it is decoded;
	// the payload's only after the signature verified (the signature
	// covers its characters as sent).
	d1, d2, ok := splitToken(token)
	if !ok {
		return nil, nil, nil, reject(ErrTokenMalformed, "not a compact JWS")
	}

	// The header chooses the algorithm and the key.
	var hbuf [256]byte
	hdrJSON, ok := decodeB64(hbuf[:0], token[:d1])
	if !ok {
		return nil, nil, nil, reject(ErrTokenMalformed, "header is not base64url")
	}
	h, err := parseHeader(hdrJSON)
	if err != nil {
		return nil, nil, nil, err
	}
	if g.allowed&(1<<h.alg) == 0 {
		return nil, nil, nil, reject(ErrAlgorithm, "")
	}
	if g.typ != "" && normalizeType(string(h.typ)) != g.typ {
		return nil, nil, nil, reject(ErrType, "")
	}
	var sbuf [maxSignatureSize]byte
	sigB64 := token[d2+1:]
	if decodedLen(len(sigB64)) > len(sbuf) {
		return nil, nil, nil, reject(ErrSignatureInvalid, "")
	}
	sig, ok := decodeB64(sbuf[:0], sigB64)
	if !ok {
		return nil, nil, nil, reject(ErrTokenMalformed, "signature is not base64url")
	}

	// Several issuers: the payload's iss chooses whose keys verify it.
	// With one, the payload is decoded only after the signature.
	pl := payloadOf(token[d1+1 : d2])
	ik := g.single
	if ik == nil {
		payload, err := pl.decode()
		if err != nil {
			return nil, nil, nil, err
		}
		iss, err := peekIssuer(payload)
		if err != nil {
			return nil, nil, nil, err
		}
		if ik = g.byName[iss]; ik == nil {
			return nil, nil, nil, reject(ErrIssuer, "")
		}
	}
	k, err := g.key(ctx, ik, h.kid, h.hasKID, h.alg, func() error { return g.precheck(&pl, ik) })
	if err != nil {
		return nil, nil, nil, err
	}

	// The signature, over the first two segments as sent.
	if !verify(&algorithms[h.alg], token[:d2], sig, k) {
		return nil, nil, nil, reject(ErrSignatureInvalid, "")
	}

	// Only a verified payload is decoded and read.
	payload, err := pl.decode()
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := g.claims(payload, ik)
	if err != nil {
		return nil, nil, nil, err
	}
	c.Algorithm, c.KeyID, c.Type = algorithms[h.alg].name, k.kid, typeString(h.typ)
	if len(g.cfg.Scopes) > 0 {
		if err := c.RequireScopes(g.cfg.Scopes...); err != nil {
			return nil, nil, nil, err
		}
	}
	if g.cfg.Check != nil {
		if err := g.cfg.Check(ctx, c); err != nil {
			return nil, nil, nil, asError(err)
		}
	}
	return c, ik, k, nil
}

// lazyPayload decodes a token's payload once, when first needed.
type lazyPayload struct {
	b64  string
	json []byte
}

func payloadOf(b64 string) lazyPayload { return lazyPayload{b64: b64} }

func (p *lazyPayload) decode() ([]byte, error) {
	if p.json != nil {
		return p.json, nil
	}
	buf, ok := decodeB64(make([]byte, 0, decodedLen(len(p.b64))), p.b64)
	if !ok {
		return nil, reject(ErrTokenMalformed, "payload is not base64url")
	}
	p.json = buf
	return buf, nil
}

// precheck reads the claims of a token not yet verified, before its
// unknown kid may cost the issuer a fetch: a token that fails anyway
// (expired, wrong issuer, malformed) causes none.
func (g *Gate) precheck(pl *lazyPayload, ik *issuerKeys) error {
	payload, err := pl.decode()
	if err != nil {
		return err
	}
	_, err = g.claims(payload, ik)
	return err
}

// header holds the members of a JOSE header the Gate acts on.
type header struct {
	alg    int
	hasAlg bool
	kid    []byte
	hasKID bool
	typ    []byte
}

// parseHeader reads the header JSON. Members that would make the Gate
// fetch or trust something named by the token (jku, jwk, x5u, x5c) are
// ignored; crit is refused, as the Gate implements no extension.
func parseHeader(data []byte) (header, error) {
	var h header
	it := members(data, 0)
	for {
		name, value, ok := it.next()
		if !ok {
			break
		}
		var err *Error
		if h, err = h.member(name, value); err != nil {
			return h, err
		}
	}
	if it.err != nil {
		return h, reject(ErrTokenMalformed, "header is not a strict JSON object")
	}
	if !h.hasAlg {
		return h, reject(ErrAlgorithm, "alg is missing")
	}
	return h, nil
}

// member returns h with one more member read. It works on a copy, so
// that the header's buffer can stay on the caller's stack.
func (h header) member(name, value []byte) (header, *Error) {
	var ok bool
	switch string(name) {
	case "alg":
		var s []byte
		if s, ok = rawString(value); !ok {
			return h, reject(ErrAlgorithm, "alg is not a string")
		}
		if h.alg, ok = algIndex(s); !ok {
			return h, reject(ErrAlgorithm, "")
		}
		h.hasAlg = true
	case "kid":
		s, ok := rawString(value)
		if !ok || len(s) == 0 || len(s) > maxKeyIDSize {
			return h, reject(ErrTokenMalformed, "kid must be a short non-empty string")
		}
		h.kid, h.hasKID = s, true
	case "typ":
		if h.typ, ok = rawString(value); !ok {
			return h, reject(ErrTokenMalformed, "typ is not a string")
		}
	case "crit":
		return h, reject(ErrTokenMalformed, "unsupported crit header")
	case "b64":
		if string(value) != "true" {
			return h, reject(ErrTokenMalformed, "unencoded payloads are not supported")
		}
	}
	return h, nil
}

// rawString returns the unescaped content of a JSON string value.
func rawString(value []byte) ([]byte, bool) {
	if len(value) < 2 || value[0] != '"' {
		return nil, false
	}
	raw := value[1 : len(value)-1]
	if bytes.IndexByte(raw, '\\') >= 0 {
		raw = unescapeJSON(raw)
	}
	return raw, true
}

// peekIssuer reads iss from a payload not yet verified, only to choose
// among several issuers' keys. The verified claims are checked again.
func peekIssuer(payload []byte) (string, error) {
	var iss []byte
	err := scanObject(payload, func(name, value []byte) error {
		if string(name) == "iss" {
			s, ok := rawString(value)
			if !ok {
				return reject(ErrIssuer, "iss is not a string")
			}
			iss = s
		}
		return nil
	})
	if err != nil {
		return "", claimsError(err)
	}
	return string(iss), nil
}

// claims reads and checks the registered claims of a payload for the
// issuer ik.
func (g *Gate) claims(payload []byte, ik *issuerKeys) (*Claims, error) {
	c := &Claims{Raw: payload}
	t := claimText{raw: payload, str: string(payload)}
	var seen uint64 // bit i: RequiredClaims[i] present and not null
	var hasAud bool
	it := members(payload, 0)
	for {
		name, value, ok := it.next()
		if !ok {
			break
		}
		switch string(name) {
		case "iss":
			c.Issuer, ok = t.string(value)
		case "sub":
			c.Subject, ok = t.string(value)
		case "jti":
			c.ID, ok = t.string(value)
		case "aud":
			if c.Audience, ok = t.audience(value); !ok {
				return nil, reject(ErrAudience, "aud must be a non-empty string or array of them")
			}
			hasAud = true
		case "exp":
			c.ExpiresAt, ok = numericDate(value)
		case "nbf":
			c.NotBefore, ok = numericDate(value)
		case "iat":
			c.IssuedAt, ok = numericDate(value)
		case "scope":
			ok = t.scopes(value, c, false)
		case "scp":
			ok = t.scopes(value, c, true)
		}
		if !ok {
			return nil, reject(ErrTokenMalformed, "claim "+claimName(name)+" has the wrong type")
		}
		for i, rc := range g.cfg.RequiredClaims {
			if string(name) == rc && string(value) != "null" {
				seen |= 1 << i
			}
		}
	}
	if it.err != nil {
		return nil, reject(ErrTokenMalformed, "payload is not a strict JSON object")
	}
	return c, g.checkClaims(c, ik, hasAud, seen)
}

// checkClaims applies the time, issuer, audience and required-claim
// rules to decoded claims.
func (g *Gate) checkClaims(c *Claims, ik *issuerKeys, hasAud bool, seen uint64) error {
	if err := g.checkTimes(c); err != nil {
		return err
	}
	if c.Issuer != ik.name {
		return reject(ErrIssuer, "")
	}
	if !g.cfg.SkipAudience {
		if !hasAud || !slices.ContainsFunc(c.Audience, g.audienceOK) {
			return reject(ErrAudience, "")
		}
	}
	for i, rc := range g.cfg.RequiredClaims {
		if seen&(1<<i) == 0 {
			return reject(ErrClaimMissing, claimName([]byte(rc))+" is required")
		}
	}
	return nil
}

// checkTimes applies exp, nbf and iat, with the leeway, at the current
// time. A zero ExpiresAt means the token has no exp: NumericDates are
// never zero.
func (g *Gate) checkTimes(c *Claims) error {
	now, leeway := g.cfg.Now(), g.cfg.Leeway
	switch {
	case c.ExpiresAt.IsZero():
		if !g.cfg.ExpOptional {
			return reject(ErrClaimMissing, "exp is required")
		}
	case !now.Before(c.ExpiresAt.Add(leeway)):
		return reject(ErrTokenExpired, "")
	}
	switch {
	case !c.NotBefore.IsZero() && c.NotBefore.After(now.Add(leeway)):
		return reject(ErrTokenNotYetValid, "")
	case !c.IssuedAt.IsZero() && c.IssuedAt.After(now.Add(leeway)):
		return reject(ErrTokenIssuedInFuture, "")
	}
	return nil
}

func (g *Gate) audienceOK(aud string) bool {
	return slices.Contains(g.cfg.Audience, aud)
}

// claimsError turns a scanner error into a malformed-token error,
// keeping an *Error as it is.
func claimsError(err error) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return reject(ErrTokenMalformed, "payload is not a strict JSON object")
}

// claimName returns name for an error description if it is short and
// plain, else a placeholder: descriptions never echo token content.
func claimName(name []byte) string {
	if len(name) > 32 {
		return "(long name)"
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return "(name)"
		}
	}
	return string(name)
}

// claimText turns JSON string values of a payload into Go strings that
// share one copy of the payload instead of one allocation each.
type claimText struct {
	raw []byte // the payload; its capacity ends where the buffer does
	str string // string(raw)
}

func (t claimText) string(value []byte) (string, bool) {
	if len(value) < 2 || value[0] != '"' {
		return "", false
	}
	inner := value[1 : len(value)-1]
	if bytes.IndexByte(inner, '\\') >= 0 {
		return string(unescapeJSON(inner)), true
	}
	off := cap(t.raw) - cap(inner)
	return t.str[off : off+len(inner)], true
}

// audience reads aud: a non-empty string, or a non-empty array of
// non-empty strings.
func (t claimText) audience(value []byte) ([]string, bool) {
	if s, ok := t.string(value); ok {
		return []string{s}, s != ""
	}
	list, ok := t.strings(value)
	if !ok || len(list) == 0 || slices.Contains(list, "") {
		return nil, false
	}
	return list, true
}

// scopes adds the scopes of a scope claim (a space-separated string)
// or, when array is set, of an scp claim (an array of strings, or a
// space-separated string as some issuers send it) to c.Scopes.
func (t claimText) scopes(value []byte, c *Claims, array bool) bool {
	if s, ok := t.string(value); ok {
		c.Scopes = appendScopes(c.Scopes, s)
		return true
	}
	if !array {
		return false
	}
	list, ok := t.strings(value)
	for _, s := range list {
		c.Scopes = appendScope(c.Scopes, s)
	}
	return ok
}

// strings reads an array of strings.
func (t claimText) strings(value []byte) ([]string, bool) {
	if len(value) < 2 || value[0] != '[' {
		return nil, false
	}
	out := []string{}
	s := jsonScanner{data: value, pos: 1}
	for {
		s.space()
		if s.data[s.pos] == ']' {
			return out, true
		}
		v, err := s.value()
		if err != nil {
			return nil, false
		}
		str, ok := t.string(v)
		if !ok {
			return nil, false
		}
		out = append(out, str)
		s.space()
		if s.data[s.pos] == ',' {
			s.pos++
		}
	}
}

// appendScopes adds the scope tokens of s, separated by spaces
// (RFC 6749 §3.3: only U+0020), to have, without duplicates.
func appendScopes(have []string, s string) []string {
	if have == nil {
		have = make([]string, 0, strings.Count(s, " ")+1)
	}
	for s != "" {
		tok, rest, _ := strings.Cut(s, " ")
		have, s = appendScope(have, tok), rest
	}
	return have
}

func appendScope(have []string, scope string) []string {
	if scope == "" || slices.Contains(have, scope) {
		return have
	}
	return append(have, scope)
}

// numericDate reads a NumericDate: a JSON number, finite, positive and
// below 2^53 seconds. Fractions are kept to the nanosecond.
func numericDate(v []byte) (time.Time, bool) {
	if len(v) == 0 || v[0] < '0' || v[0] > '9' {
		return time.Time{}, false // strings, null, booleans, negatives
	}
	var sec, nsec int64
	i := 0
	for ; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
		if sec = sec*10 + int64(v[i]-'0'); sec >= 1<<53 {
			return time.Time{}, false
		}
	}
	if i < len(v) && v[i] == '.' {
		scale := int64(1e8)
		for i++; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
			nsec += int64(v[i]-'0') * scale
			scale /= 10
		}
	}
	if i < len(v) { // an exponent
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || !(f > 0 && f < 1<<53) {
			return time.Time{}, false
		}
		sec = int64(f)
		nsec = int64((f - float64(sec)) * 1e9)
	}
	if sec == 0 && nsec == 0 {
		return time.Time{}, false
	}
	return time.Unix(sec, nsec), true
}

func typeString(typ []byte) string {
	switch string(typ) {
	case "":
		return ""
	case "JWT":
		return "JWT"
	case "at+jwt":
		return "at+jwt"
	}
	return string(typ)
}

// splitToken finds the two dots of a compact JWS and checks that no
// segment is empty and no third dot follows.
func splitToken(t string) (d1, d2 int, ok bool) {
	d1 = strings.IndexByte(t, '.')
	if d1 <= 0 {
		return 0, 0, false
	}
	n := strings.IndexByte(t[d1+1:], '.')
	if n <= 0 {
		return 0, 0, false
	}
	d2 = d1 + 1 + n
	return d1, d2, d2 < len(t)-1 && strings.IndexByte(t[d2+1:], '.') < 0
}

// b64Value maps a base64url character to its value, others to 0xff.
var b64Value = func() (t [256]byte) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// decodedLen is the decoded size of n unpadded base64 characters.
func decodedLen(n int) int { return n * 6 / 8 }

// decodeB64 appends the decoding of the base64url text s to dst. It
// refuses characters outside the alphabet, impossible lengths and
// non-zero trailing bits, so each byte string has exactly one encoding.
func decodeB64(dst []byte, s string) ([]byte, bool) {
	if len(s)%4 == 1 {
		return nil, false
	}
	var bad byte // ORs every value: 0xff marks a character outside
	i := 0
	for ; i+4 <= len(s); i += 4 {
		a, b, c, d := b64Value[s[i]], b64Value[s[i+1]], b64Value[s[i+2]], b64Value[s[i+3]]
		bad |= a | b | c | d
		v := uint(a)<<18 | uint(b)<<12 | uint(c)<<6 | uint(d)
		dst = append(dst, byte(v>>16), byte(v>>8), byte(v))
	}
	switch len(s) - i {
	case 2:
		a, b := b64Value[s[i]], b64Value[s[i+1]]
		bad |= a | b
		if b&0xf != 0 {
			return nil, false
		}
		dst = append(dst, a<<2|b>>4)
	case 3:
		a, b, c := b64Value[s[i]], b64Value[s[i+1]], b64Value[s[i+2]]
		bad |= a | b | c
		if c&0x3 != 0 {
			return nil, false
		}
		dst = append(dst, a<<2|b>>4, b<<4|c>>2)
	}
	return dst, bad&0xc0 == 0
}
