package jwtgate_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// The claims part of the token catalogue. The tokens are HS256 tokens of
// the static issuer, their payloads written as literal JSON so that every
// number and member appears exactly as a hostile issuer could send it,
// and the gates share the fixed clock tokNow (Unix 1900000000).

// tokStatic returns a Gate for the static issuer, changed by mod.
func tokStatic(t *testing.T, mod func(*jwtgate.Config)) *jwtgate.Gate {
	t.Helper()
	return tokGate(t, tokStaticConfig(), mod)
}

// tokWith returns a token with the standard claims and the raw extra
// members.
func tokWith(extra ...string) string { return tokHSBody(nil, extra...) }

// tokOver returns a token whose one standard claim name holds the raw
// JSON value, or is left out when value is "".
func tokOver(name, value string, extra ...string) string {
	return tokHSBody(map[string]string{name: value}, extra...)
}

func TestClaimsExpiry(t *testing.T) {
	t.Parallel()
	g := tokStatic(t, nil)
	exp := func(v string) string { return tokOver("exp", v) }
	mal, expired := jwtgate.ErrTokenMalformed, jwtgate.ErrTokenExpired
	tokRun(t, g, []tokCase{
		{"an hour ahead", exp("1900003600"), nil},
		{"a second ahead", exp("1900000001"), nil},
		{"a nanosecond ahead", exp("1900000000.000000001"), nil},
		{"half a second ahead", exp("1900000000.5"), nil},
		{"exponent form ahead", exp("1.9000036e9"), nil},
		{"capital exponent ahead", exp("1.9000036E+9"), nil},
		{"largest safe integer", exp("9007199254740991"), nil},
		{"equal to now", exp("1900000000"), expired},
		{"equal to now, zero fraction", exp("1900000000.000"), expired},
		{"beyond nanoseconds", exp("1900000000.0000000001"), expired},
		{"half a second ago", exp("1899999999.5"), expired},
		{"a second ago", exp("1899999999"), expired},
		{"exponent form past", exp("1e9"), expired},
		{"fraction of a second", exp("0.5"), expired},
		{"2^53", exp("9007199254740992"), mal},
		{"thirty digits", exp("123456789012345678901234567890"), mal},
		{"1e300", exp("1e300"), mal},
		{"1e400", exp("1e400"), mal},
		{"1e-400", exp("1e-400"), mal},
		{"zero", exp("0"), mal},
		{"zero with fraction", exp("0.0"), mal},
		{"zero exponent", exp("0e5"), mal},
		{"negative", exp("-1"), mal},
		{"negative zero", exp("-0"), mal},
		{"negative future", exp("-1900003600"), mal},
		{"string", exp(`"1900003600"`), mal},
		{"true", exp("true"), mal},
		{"false", exp("false"), mal},
		{"object", exp(`{"t":1900003600}`), mal},
		{"array", exp("[1900003600]"), mal},
		{"NaN", exp("NaN"), mal},
		{"Infinity", exp("Infinity"), mal},
		{"hexadecimal", exp("0x71408c10"), mal},
		{"leading plus", exp("+1900003600"), mal},
		{"leading zero", exp("01900003600"), mal},
		{"trailing dot", exp("1900003600."), mal},
		{"missing", exp(""), jwtgate.ErrClaimMissing},
		{"only a case variant", tokOver("exp", "", `"EXP":1900003600`), jwtgate.ErrClaimMissing},
		{"case variant beside", tokWith(`"Exp":"junk"`), nil},
		{"escaped name", tokOver("exp", "", `"\u0065xp":1900003600`), nil},
		{"twice", tokWith(`"exp":1900003600`), mal},
		{"twice, escaped", tokWith(`"\u0065xp":1900003600`), mal},
	})
}

func TestClaimsExpiryNull(t *testing.T) {
	g := tokStatic(t, nil)
	tokRun(t, g, []tokCase{
		{"exp null", tokOver("exp", "null"), jwtgate.ErrTokenMalformed},
	})
}

func TestClaimsExpiryOptional(t *testing.T) {
	t.Parallel()
	g := tokStatic(t, func(c *jwtgate.Config) { c.ExpOptional = true })
	tokRun(t, g, []tokCase{
		{"missing", tokOver("exp", ""), nil},
		{"only a case variant", tokOver("exp", "", `"EXP":1`), nil},
		{"present and valid", tokOver("exp", "1900003600"), nil},
		{"present and past", tokOver("exp", "1899999999"), jwtgate.ErrTokenExpired},
		{"present and malformed", tokOver("exp", `"soon"`), jwtgate.ErrTokenMalformed},
	})
}

func TestClaimsNotBeforeAndIssuedAt(t *testing.T) {
	t.Parallel()
	g := tokStatic(t, nil)
	nbf := func(v string) string { return tokWith(`"nbf":` + v) }
	iat := func(v string) string { return tokOver("iat", v) }
	mal := jwtgate.ErrTokenMalformed
	tokRun(t, g, []tokCase{
		{"nbf now", nbf("1900000000"), nil},
		{"nbf past", nbf("1899999999"), nil},
		{"nbf a nanosecond ahead", nbf("1900000000.000000001"), jwtgate.ErrTokenNotYetValid},
		{"nbf a second ahead", nbf("1900000001"), jwtgate.ErrTokenNotYetValid},
		{"nbf a year ahead", nbf("1931536000"), jwtgate.ErrTokenNotYetValid},
		{"nbf string", nbf(`"1899999999"`), mal},
		{"nbf zero", nbf("0"), mal},
		{"nbf negative", nbf("-1"), mal},
		{"nbf null", nbf("null"), mal},
		{"nbf object", nbf("{}"), mal},
		{"iat now", iat("1900000000"), nil},
		{"iat absent", iat(""), nil},
		{"iat a nanosecond ahead", iat("1900000000.000000001"), jwtgate.ErrTokenIssuedInFuture},
		{"iat an hour ahead", iat("1900003600"), jwtgate.ErrTokenIssuedInFuture},
		{"iat boolean", iat("true"), mal},
		{"iat string", iat(`"now"`), mal},
		{"iat 2^53", iat("9007199254740992"), mal},
		{"NBF is not nbf", tokWith(`"NBF":1931536000`), nil},
		{"IAT is not iat", tokOver("iat", "", `"IAT":1931536000`), nil},
		{"expired and not yet valid", tokOver("exp", "1", `"nbf":1931536000`),
			jwtgate.ErrTokenExpired},
	})
}

func TestClaimsLeeway(t *testing.T) {
	t.Parallel()
	g := tokStatic(t, func(c *jwtgate.Config) { c.Leeway = 30 * time.Second })
	frac := tokStatic(t, func(c *jwtgate.Config) { c.Leeway = 1500 * time.Millisecond })
	exp := func(v string) string { return tokOver("exp", v) }
	nbf := func(v string) string { return tokWith(`"nbf":` + v) }
	iat := func(v string) string { return tokOver("iat", v) }

	t.Run("30 seconds", func(t *testing.T) {
		tokRun(t, g, []tokCase{
			{"exp 29 s ago", exp("1899999971"), nil},
			{"exp 30 s ago less a nanosecond", exp("1899999970.000000001"), nil},
			{"exp 30 s ago", exp("1899999970"), jwtgate.ErrTokenExpired},
			{"exp 31 s ago", exp("1899999969"), jwtgate.ErrTokenExpired},
			{"nbf 30 s ahead", nbf("1900000030"), nil},
			{"nbf 30 s and a nanosecond ahead", nbf("1900000030.000000001"),
				jwtgate.ErrTokenNotYetValid},
			{"nbf 31 s ahead", nbf("1900000031"), jwtgate.ErrTokenNotYetValid},
			{"iat 30 s ahead", iat("1900000030"), nil},
			{"iat 30 s and a nanosecond ahead", iat("1900000030.000000001"),
				jwtgate.ErrTokenIssuedInFuture},
			{"iat 31 s ahead", iat("1900000031"), jwtgate.ErrTokenIssuedInFuture},
		})
	})
	t.Run("1.5 seconds", func(t *testing.T) {
		tokRun(t, frac, []tokCase{
			{"exp 1.499999999 s ago", exp("1899999998.500000001"), nil},
			{"exp 1.5 s ago", exp("1899999998.5"), jwtgate.ErrTokenExpired},
			{"nbf 1.5 s ahead", nbf("1900000001.5"), nil},
			{"nbf 1.500000001 s ahead", nbf("1900000001.500000001"), jwtgate.ErrTokenNotYetValid},
		})
	})
	t.Run("negative", func(t *testing.T) {
		cfg := tokStaticConfig()
		cfg.Leeway = -time.Second
		if g, err := jwtgate.New(cfg); err == nil {
			g.Close()
			t.Error("New accepted a negative Leeway")
		}
	})
}

func TestClaimsIssuer(t *testing.T) {
	t.Parallel()
	g := tokStatic(t, nil)
	iss := func(v string, extra ...string) string { return tokOver("iss", v, extra...) }
	q := func(s string) string { return `"` + s + `"` }
	mal := jwtgate.ErrTokenMalformed
	tokRun(t, g, []tokCase{
		{"exact", iss(q(tokStaticIss)), nil},
		{"escaped slashes", iss(q(strings.ReplaceAll(tokStaticIss, "/", `\/`))), nil},
		{"escaped letter", iss(q(`https://st\u0061tic.jwtgate.test`)), nil},
		{"upper-case host", iss(q("https://STATIC.jwtgate.test")), jwtgate.ErrIssuer},
		{"upper-case scheme", iss(q("HTTPS://static.jwtgate.test")), jwtgate.ErrIssuer},
		{"trailing slash", iss(q(tokStaticIss + "/")), jwtgate.ErrIssuer},
		{"no scheme", iss(q("static.jwtgate.test")), jwtgate.ErrIssuer},
		{"http", iss(q("http://static.jwtgate.test")), jwtgate.ErrIssuer},
		{"default port", iss(q("https://static.jwtgate.test:443")), jwtgate.ErrIssuer},
		{"leading space", iss(q(" " + tokStaticIss)), jwtgate.ErrIssuer},
		{"trailing NUL", iss(q(tokStaticIss + `\u0000`)), jwtgate.ErrIssuer},
		{"Cyrillic a", iss(q("https://st\u0430tic.jwtgate.test")), jwtgate.ErrIssuer},
		{"empty", iss(`""`), jwtgate.ErrIssuer},
		{"missing", iss(""), jwtgate.ErrIssuer},
		{"only a case variant", iss("", `"ISS":`+q(tokStaticIss)), jwtgate.ErrIssuer},
		{"number", iss("1"), mal},
		{"null", iss("null"), mal},
		{"array", iss(`[` + q(tokStaticIss) + `]`), mal},
		{"object", iss(`{}`), mal},
		{"twice", iss(q(tokStaticIss), `"iss":`+q(tokStaticIss)), mal},
	})
}

func TestClaimsAudience(t *testing.T) {
	t.Parallel()
	const second = "urn:jwtgate:second"
	g := tokStatic(t, func(c *jwtgate.Config) { c.Audience = append(c.Audience, second) })
	skip := tokStatic(t, func(c *jwtgate.Config) { c.Audience, c.SkipAudience = nil, true })
	aud := func(v string, extra ...string) string { return tokOver("aud", v, extra...) }
	first := `"` + gatetest.Audience + `"`
	bad := jwtgate.ErrAudience

	t.Run("configured", func(t *testing.T) {
		tokRun(t, g, []tokCase{
			{"string", aud(first), nil},
			{"second audience", aud(`"` + second + `"`), nil},
			{"array of one", aud("[" + first + "]"), nil},
			{"any of several", aud(`["https://other.test",` + first + `]`), nil},
			{"both", aud(`["` + second + `",` + first + `]`), nil},
			{"escaped", aud(strings.ReplaceAll(first, "/", `\/`)), nil},
			{"other", aud(`"https://other.test"`), bad},
			{"array of others", aud(`["https://other.test","x"]`), bad},
			{"upper case", aud(strings.ToUpper(first)), bad},
			{"trailing slash", aud(`"` + gatetest.Audience + `/"`), bad},
			{"space separated", aud(`"` + gatetest.Audience + ` ` + second + `"`), bad},
			{"missing", aud(""), bad},
			{"empty string", aud(`""`), bad},
			{"empty array", aud(`[]`), bad},
			{"array with empty string", aud(`["",` + first + `]`), bad},
			{"array with a number", aud(`[` + first + `,1]`), bad},
			{"array with null", aud(`[` + first + `,null]`), bad},
			{"nested array", aud(`[[` + first + `]]`), bad},
			{"null", aud(`null`), bad},
			{"number", aud(`1`), bad},
			{"boolean", aud(`true`), bad},
			{"object", aud(`{` + first + `:true}`), bad},
			{"only a case variant", aud("", `"AUD":`+first), bad},
			{"twice", aud(first, `"aud":`+first), jwtgate.ErrTokenMalformed},
		})
	})
	t.Run("skipped", func(t *testing.T) {
		tokRun(t, skip, []tokCase{
			{"missing", aud(""), nil},
			{"other", aud(`"https://other.test"`), nil},
			{"array of others", aud(`["a","b"]`), nil},
			// The shape of aud is still checked, although SkipAudience's
			// comment says any aud is accepted.
			{"empty string", aud(`""`), bad},
			{"number", aud(`1`), bad},
		})
	})
	t.Run("configuration", func(t *testing.T) {
		for name, mod := range map[string]func(*jwtgate.Config){
			"none":         func(c *jwtgate.Config) { c.Audience = nil },
			"empty string": func(c *jwtgate.Config) { c.Audience = []string{""} },
		} {
			cfg := tokStaticConfig()
			mod(&cfg)
			if g, err := jwtgate.New(cfg); err == nil {
				g.Close()
				t.Errorf("New accepted audience %s", name)
			}
		}
	})
}

func TestClaimsType(t *testing.T) {
	t.Parallel()
	typ := func(v string) string {
		h := `{"alg":"HS256","kid":"hs"`
		if v != "" {
			h += `,"typ":` + v
		}
		return tokHS(h+"}", tokBody(tokStaticIss, nil))
	}
	withType := func(ty string) *jwtgate.Gate {
		return tokStatic(t, func(c *jwtgate.Config) { c.Type = ty })
	}
	gAt, gApp, gJWT, gAny := withType("at+jwt"), withType("application/at+jwt"),
		withType("JWT"), withType("")
	rows := []struct {
		name, typ           string
		at, app, jwt, other error
	}{
		{"at+jwt", `"at+jwt"`, nil, nil, jwtgate.ErrType, nil},
		{"upper case", `"AT+JWT"`, nil, nil, jwtgate.ErrType, nil},
		{"media type", `"application/at+jwt"`, nil, nil, jwtgate.ErrType, nil},
		{"media type, mixed case", `"Application/At+Jwt"`, nil, nil, jwtgate.ErrType, nil},
		{"JWT", `"JWT"`, jwtgate.ErrType, jwtgate.ErrType, nil, nil},
		{"jwt", `"jwt"`, jwtgate.ErrType, jwtgate.ErrType, nil, nil},
		{"empty", `""`, jwtgate.ErrType, jwtgate.ErrType, jwtgate.ErrType, nil},
		{"missing", ``, jwtgate.ErrType, jwtgate.ErrType, jwtgate.ErrType, nil},
		{"trailing space", `"at+jwt "`, jwtgate.ErrType, jwtgate.ErrType, jwtgate.ErrType, nil},
		{"prefix twice", `"application/application/at+jwt"`, jwtgate.ErrType, jwtgate.ErrType,
			jwtgate.ErrType, nil},
		{"other", `"secevent+jwt"`, jwtgate.ErrType, jwtgate.ErrType, jwtgate.ErrType, nil},
		{"number", `1`, jwtgate.ErrTokenMalformed, jwtgate.ErrTokenMalformed,
			jwtgate.ErrTokenMalformed, jwtgate.ErrTokenMalformed},
		{"null", `null`, jwtgate.ErrTokenMalformed, jwtgate.ErrTokenMalformed,
			jwtgate.ErrTokenMalformed, jwtgate.ErrTokenMalformed},
	}
	for _, gate := range []struct {
		name string
		g    *jwtgate.Gate
		want func(r int) error
	}{
		{"at+jwt", gAt, func(r int) error { return rows[r].at }},
		{"application/at+jwt", gApp, func(r int) error { return rows[r].app }},
		{"JWT", gJWT, func(r int) error { return rows[r].jwt }},
		{"any", gAny, func(r int) error { return rows[r].other }},
	} {
		var cases []tokCase
		for i, r := range rows {
			cases = append(cases, tokCase{r.name, typ(r.typ), gate.want(i)})
		}
		t.Run(gate.name, func(t *testing.T) { tokRun(t, gate.g, cases) })
	}
}

func TestClaimsRequired(t *testing.T) {
	t.Parallel()
	g := tokStatic(t, func(c *jwtgate.Config) { c.RequiredClaims = []string{"sub", "jti", "tid"} })
	with := tokWith
	missing := jwtgate.ErrClaimMissing
	tokRun(t, g, []tokCase{
		{"all present", with(`"jti":"j1"`, `"tid":"t1"`), nil},
		{"custom claim of any type", with(`"jti":"j1"`, `"tid":{"x":false}`), nil},
		{"custom claim false", with(`"jti":"j1"`, `"tid":false`), nil},
		{"empty strings count", with(`"jti":""`, `"tid":""`), nil},
		{"jti missing", with(`"tid":"t1"`), missing},
		{"custom claim missing", with(`"jti":"j1"`), missing},
		{"custom claim null", with(`"jti":"j1"`, `"tid":null`), missing},
		{"sub missing", tokOver("sub", "", `"jti":"j1"`, `"tid":"t1"`), missing},
		{"case variant", with(`"JTI":"j1"`, `"tid":"t1"`), missing},
		{"jti of the wrong type", with(`"jti":1`, `"tid":"t1"`), jwtgate.ErrTokenMalformed},
	})
}

func TestClaimsRequiredNull(t *testing.T) {
	g := tokStatic(t, func(c *jwtgate.Config) { c.RequiredClaims = []string{"sub", "jti"} })
	tokRun(t, g, []tokCase{
		// A null registered claim has the wrong type.
		{"jti null", tokHSBody(nil, `"jti":null`), jwtgate.ErrTokenMalformed},
		{"sub null", tokOver("sub", "null", `"jti":"j1"`), jwtgate.ErrTokenMalformed},
	})
}

func TestClaimsScopes(t *testing.T) {
	t.Parallel()
	g := tokStatic(t, nil)
	with := tokWith
	rows := []struct {
		name  string
		token string
		want  []string
	}{
		{"scope", with(`"scope":"read write"`), []string{"read", "write"}},
		{"scope with extra spaces", with(`"scope":"  read   write "`), []string{"read", "write"}},
		{"scope empty", with(`"scope":""`), nil},
		{"scp array", with(`"scp":["read","write"]`), []string{"read", "write"}},
		{"scp string", with(`"scp":"read write"`), []string{"read", "write"}},
		{"scp empty array", with(`"scp":[]`), nil},
		{"both, without duplicates", with(`"scope":"read"`, `"scp":["read","admin"]`),
			[]string{"read", "admin"}},
		{"duplicates in scope", with(`"scope":"read read"`), []string{"read"}},
		{"none", with(), nil},
		{"case variant", with(`"SCOPE":"admin"`), nil},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			c, err := tokValidate(t, g, r.token)
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if !slices.Equal(c.Scopes, r.want) {
				t.Errorf("Scopes = %q, want %q", c.Scopes, r.want)
			}
		})
	}
	mal := jwtgate.ErrTokenMalformed
	tokRun(t, g, []tokCase{
		{"scope number", with(`"scope":1`), mal},
		{"scope array", with(`"scope":["read"]`), mal},
		{"scope null", with(`"scope":null`), mal},
		{"scp number", with(`"scp":1`), mal},
		{"scp array of numbers", with(`"scp":[1]`), mal},
		{"scp object", with(`"scp":{"read":true}`), mal},
		{"scope twice", with(`"scope":"read"`, `"scope":"admin"`), mal},
	})
}

func TestClaimsRequiredScopes(t *testing.T) {
	t.Parallel()
	g := tokStatic(t, func(c *jwtgate.Config) { c.Scopes = []string{"write", "read"} })
	with := tokWith
	short := jwtgate.ErrInsufficientScope
	tokRun(t, g, []tokCase{
		{"both in scope", with(`"scope":"read write"`), nil},
		{"both in scp", with(`"scp":["write","read","admin"]`), nil},
		{"split between scope and scp", with(`"scope":"read"`, `"scp":"write"`), nil},
		{"one missing", with(`"scope":"read"`), short},
		{"none", with(), short},
		{"case differs", with(`"scope":"READ WRITE"`), short},
		{"prefix only", with(`"scope":"reader writer"`), short},
	})

	_, err := tokValidate(t, g, with(`"scope":"read"`))
	var e *jwtgate.Error
	if !errors.As(err, &e) || !slices.Equal(e.Scopes, []string{"write"}) {
		t.Fatalf("Validate: %v; want an *Error listing the missing scope write", err)
	}
	r := jwtgate.ResponseFor(err, tokRealm)
	if !strings.Contains(r.WWWAuthenticate, `scope="write"`) {
		t.Errorf("challenge %q does not name the missing scope", r.WWWAuthenticate)
	}
}

func TestClaimsRequireScopes(t *testing.T) {
	t.Parallel()
	g := tokStatic(t, nil)
	c, err := tokValidate(t, g, tokHSBody(nil, `"scope":"read write"`))
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	rows := []struct {
		name    string
		scopes  []string
		missing []string
	}{
		{"none asked", nil, nil},
		{"granted", []string{"read"}, nil},
		{"all granted", []string{"write", "read"}, nil},
		{"one missing", []string{"read", "admin"}, []string{"admin"}},
		{"all missing", []string{"admin", "root"}, []string{"admin", "root"}},
		{"case differs", []string{"Read"}, []string{"Read"}},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			err := c.RequireScopes(r.scopes...)
			if r.missing == nil {
				if err != nil {
					t.Fatalf("RequireScopes: %v", err)
				}
				return
			}
			var e *jwtgate.Error
			if !errors.Is(err, jwtgate.ErrInsufficientScope) || !errors.As(err, &e) ||
				!slices.Equal(e.Scopes, r.missing) {
				t.Fatalf("RequireScopes: %v; want missing %q", err, r.missing)
			}
			tokCheckResponse(t, "", err, jwtgate.ErrInsufficientScope)
		})
	}
	if !c.HasScope("read") || c.HasScope("admin") {
		t.Errorf("HasScope: read %v, admin %v", c.HasScope("read"), c.HasScope("admin"))
	}
	var none *jwtgate.Claims
	if err := none.RequireScopes("read"); !errors.Is(err, jwtgate.ErrTokenMissing) {
		t.Errorf("RequireScopes on nil claims: %v, want ErrTokenMissing", err)
	} else {
		tokCheckResponse(t, "", err, jwtgate.ErrTokenMissing)
	}
}

func TestClaimsCheckHook(t *testing.T) {
	t.Parallel()
	type ctxKey struct{}
	var calls atomic.Int64
	secret := errors.New("tenant acme is suspended")
	g := tokStatic(t, func(c *jwtgate.Config) {
		c.Check = func(ctx context.Context, c *jwtgate.Claims) error {
			calls.Add(1)
			if ctx.Value(ctxKey{}) != "request" {
				return errors.New("the hook did not get the request's context")
			}
			switch c.Subject {
			case "plain":
				return secret
			case "scope":
				return &jwtgate.Error{Reason: jwtgate.ErrInsufficientScope,
					Scopes: []string{"admin"}}
			case "wrapped":
				return fmt.Errorf("hook: %w", &jwtgate.Error{Reason: jwtgate.ErrAudience})
			}
			return nil
		}
	})
	sub := func(s string) string { return tokOver("sub", `"`+s+`"`) }
	ctx := context.WithValue(t.Context(), ctxKey{}, "request")
	rows := []tokCase{
		{"accepted", sub("user-1"), nil},
		{"plain error", sub("plain"), jwtgate.ErrClaimRejected},
		{"*Error kept", sub("scope"), jwtgate.ErrInsufficientScope},
		{"wrapped *Error kept", sub("wrapped"), jwtgate.ErrAudience},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			_, err := g.Validate(ctx, r.token)
			tokExpect(t, r.token, err, r.want)
			resp := jwtgate.ResponseFor(err, tokRealm)
			if err != nil && strings.Contains(resp.WWWAuthenticate+string(resp.Body), "acme") {
				t.Errorf("the response shows the hook's error text: %s", resp.Body)
			}
		})
	}
	before := calls.Load()
	if _, err := g.Validate(ctx, tokOver("exp", "1")); !errors.Is(err, jwtgate.ErrTokenExpired) {
		t.Fatalf("Validate: %v, want ErrTokenExpired", err)
	}
	if calls.Load() != before {
		t.Error("the hook ran for a rejected token")
	}
}

func TestClaimsValues(t *testing.T) {
	t.Parallel()
	g := tokStatic(t, nil)
	payload := tokBody(tokStaticIss, map[string]string{
		"aud": `["` + gatetest.Audience + `","urn:other"]`,
		"exp": "1900003600.25",
	}, `"nbf":1899999000`, `"jti":"id-\u00e9"`, `"scp":["a"]`)
	c, err := tokValidate(t, g, tokHS(tokHSHeader, payload))
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Issuer", c.Issuer, tokStaticIss},
		{"Subject", c.Subject, "user-1"},
		{"Audience", strings.Join(c.Audience, " "), gatetest.Audience + " urn:other"},
		{"ExpiresAt", c.ExpiresAt, time.Unix(1900003600, 250_000_000)},
		{"NotBefore", c.NotBefore, time.Unix(1899999000, 0)},
		{"IssuedAt", c.IssuedAt, time.Unix(1899999940, 0)},
		{"ID", c.ID, "id-é"},
		{"Scopes", strings.Join(c.Scopes, " "), "a"},
		{"Algorithm", c.Algorithm, "HS256"},
		{"KeyID", c.KeyID, "hs"},
		{"Type", c.Type, "JWT"},
		{"Raw", string(c.Raw), payload},
	}
	for _, ch := range checks {
		if tm, ok := ch.got.(time.Time); ok {
			if !tm.Equal(ch.want.(time.Time)) {
				t.Errorf("%s = %v, want %v", ch.name, tm, ch.want)
			}
			continue
		}
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	bare, err := tokValidate(t, g, tokOver("iat", ""))
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if !bare.IssuedAt.IsZero() || !bare.NotBefore.IsZero() || bare.ID != "" {
		t.Errorf("absent claims: iat %v, nbf %v, jti %q", bare.IssuedAt, bare.NotBefore, bare.ID)
	}
}

func TestClaimsDecode(t *testing.T) {
	t.Parallel()
	g := tokStatic(t, nil)
	token := tokHSBody(nil, `"tenant":"acme"`, `"roles":["admin","dev"]`, `"level":3`,
		`"meta":{"beta":true}`)
	c, err := tokValidate(t, g, token)
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	var custom struct {
		Tenant string          `json:"tenant"`
		Roles  []string        `json:"roles"`
		Level  int             `json:"level"`
		Meta   map[string]bool `json:"meta"`
		Sub    string          `json:"sub"`
		Exp    float64         `json:"exp"`
	}
	if err := c.Decode(&custom); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if custom.Tenant != "acme" || !slices.Equal(custom.Roles, []string{"admin", "dev"}) ||
		custom.Level != 3 || !custom.Meta["beta"] || custom.Sub != "user-1" ||
		custom.Exp != 1900003600 {
		t.Errorf("Decode gave %+v", custom)
	}
	var wrong struct {
		Level string `json:"level"`
	}
	if err := c.Decode(&wrong); err == nil {
		t.Error("Decode into a field of the wrong type succeeded")
	}
}

// tokPayloadJSONCases returns HS256 tokens, validly signed, whose payload
// is not one strict JSON object or whose members collide.
func tokPayloadJSONCases() []tokCase {
	hs := func(payload string) string { return tokHS(tokHSHeader, payload) }
	body := tokBody(tokStaticIss, nil)
	inner := strings.TrimSuffix(body, "}")
	with := func(extra string) string { return hs(inner + "," + extra + "}") }
	deep := func(n int) string {
		return with(`"x":` + strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n))
	}
	mal := jwtgate.ErrTokenMalformed
	return []tokCase{
		{"control", hs(body), nil},
		{"whitespace around", hs(" \n\t" + body + "\r\n "), nil},
		{"nested 20 deep", deep(20), nil},
		{"empty object", hs(`{}`), jwtgate.ErrClaimMissing},
		{"array", hs(`[` + body + `]`), mal},
		{"string", hs(`"claims"`), mal},
		{"number", hs(`1900003600`), mal},
		{"null", hs(`null`), mal},
		{"true", hs(`true`), mal},
		{"trailing data", hs(body + "x"), mal},
		{"two objects", hs(body + body), mal},
		{"trailing comma", hs(inner + ",}"), mal},
		{"byte order mark", hs("\ufeff" + body), mal},
		{"unterminated", hs(inner), mal},
		{"nested 40 deep", deep(40), mal},
		{"nested 1000 deep", deep(1000), mal},
		{"invalid UTF-8", with("\"x\":\"\xff\xfe\""), mal},
		{"invalid UTF-8 name", with("\"\xc3\":1"), mal},
		{"lone high surrogate", with(`"x":"\ud800"`), mal},
		{"lone low surrogate", with(`"x":"\udfff"`), mal},
		{"reversed surrogates", with(`"x":"\udc00\ud800"`), mal},
		{"raw newline in a string", with("\"x\":\"a\nb\""), mal},
		{"duplicate sub", with(`"sub":"user-2"`), mal},
		{"duplicate iat", with(`"iat":1899999940`), mal},
		{"duplicate custom claim", with(`"x":1,"x":1`), mal},
		{"duplicate, escaped", with(`"\u0073ub":"user-1"`), mal},
		{"duplicate in a nested object", with(`"x":{"a":1,"\u0061":2}`), mal},
		{"duplicate in an object in an array", with(`"x":[{"a":1,"a":1}]`), mal},
		{"case variants are no duplicates", with(`"SUB":"x","Sub":"y","sUB":"z"`), nil},
	}
}

func TestClaimsPayloadJSON(t *testing.T) {
	t.Parallel()
	tokRun(t, tokStatic(t, nil), tokPayloadJSONCases())
}

func TestClaimsManyRequired(t *testing.T) {
	t.Parallel()
	var names, members []string
	for i := range 64 {
		names = append(names, fmt.Sprintf("c%d", i))
		members = append(members, fmt.Sprintf(`"c%d":%d`, i, i))
	}
	g := tokStatic(t, func(c *jwtgate.Config) { c.RequiredClaims = names })
	tokRun(t, g, []tokCase{
		{"all 64 present", tokWith(members...), nil},
		{"the last one missing", tokWith(members[:63]...), jwtgate.ErrClaimMissing},
	})

	cfg := jwtgate.Config{
		Issuers: []jwtgate.Issuer{{Name: "https://self.example",
			Keys: []jwtgate.StaticKey{{Key: make([]byte, 32)}}}},
		Audience:       []string{"api"},
		RequiredClaims: append(names, "c64"),
	}
	if _, err := jwtgate.New(cfg); err == nil {
		t.Error("New accepted 65 RequiredClaims")
	}
}

func TestClaimsScopeDelimiter(t *testing.T) {
	t.Parallel()
	g := tokStatic(t, func(c *jwtgate.Config) { c.Scopes = []string{"admin"} })
	short := jwtgate.ErrInsufficientScope
	tokRun(t, g, []tokCase{
		{"control", tokWith(`"scope":"read admin"`), nil},
		{"tab", tokWith(`"scope":"read\tadmin"`), short},
		{"newline", tokWith(`"scope":"read\nadmin"`), short},
		{"no-break space", tokWith(`"scope":"read\u00a0admin"`), short},
		{"ideographic space", tokWith(`"scp":"read\u3000admin"`), short},
	})
}
