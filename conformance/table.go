package conformance

import (
	"net/http"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// acceptCases are the positive controls: one valid token per algorithm
// and the spellings of the scheme.
func acceptCases() []tcase {
	return []tcase{
		{name: "RS256", token: valid, req: bearer, want: ok(bodyUser)},
		{name: "PS256", token: ofKey(kidPS256), req: bearer, want: ok(bodyUser)},
		{name: "ES256", token: ofKey(kidES256), req: bearer, want: ok(bodyUser)},
		{name: "EdDSA", token: ofKey(kidEdDSA), req: bearer, want: ok(bodyUser)},
		{name: "HS256 static", token: hs256, req: bearer, want: ok(bodyHS256)},
		{name: "scheme lower case", token: valid,
			req: request{auth: []string{"bearer " + tokenVar}}, want: ok(bodyUser)},
		{name: "scheme upper case", token: valid,
			req: request{auth: []string{"BEARER " + tokenVar}}, want: ok(bodyUser)},
		{name: "public route with token", token: valid, req: publicReq, want: ok(bodyUser)},
		{name: "OPTIONS with token", token: valid,
			req: request{method: http.MethodOptions, auth: bearer.auth}, want: noContent},
	}
}

// missingCases are requests without a token (class M).
func missingCases() []tcase {
	return []tcase{
		{name: "no header", req: noTokenReq, want: missing("api")},
		{name: "Basic scheme", req: request{auth: []string{"Basic dXNlcjpwYXNz"}},
			want: missing("api")},
		{name: "empty header", req: request{auth: []string{""}}, want: missing("api")},
		{name: "public route needs a token too", req: request{target: "/public/ping"},
			want: missing("api")},
		{name: "admin route", req: request{target: "/admin"}, want: missing("api")},
		{name: "token in query, query not configured", token: valid,
			req: request{target: "/me?access_token=" + tokenVar}, want: missing("api")},
	}
}

// malformedRequestCases are credentials that cannot be read
// unambiguously (class R).
func malformedRequestCases() []tcase {
	return []tcase{
		{name: "Bearer alone", req: request{auth: []string{"Bearer"}},
			want: badRequest("bearer token is empty")},
		{name: "Bearer and space", req: request{auth: []string{"Bearer "}},
			want: badRequest("bearer token is empty")},
		{name: "token with a comma", token: valid,
			req:  request{auth: []string{"Bearer " + tokenVar + ",x"}},
			want: badRequest("bearer token contains a separator")},
		{name: "token with a space", token: valid,
			req:  request{auth: []string{"Bearer " + tokenVar + " x"}},
			want: badRequest("bearer token contains a separator")},
		{name: "two Authorization headers", token: valid,
			req:  request{auth: []string{"Bearer " + tokenVar, "Bearer " + tokenVar}},
			want: badRequest("more than one Authorization header")},
		{name: "header and cookie", token: valid,
			setup: withSetup(func(s *Setup) { s.Extractor.Cookie = "access_token" }),
			req: request{auth: bearer.auth,
				header: [][2]string{{"Cookie", "access_token=" + tokenVar}}},
			want: badRequest("token in more than one place")},
		{name: "two cookies of one name", token: valid,
			setup: withSetup(func(s *Setup) { s.Extractor.Cookie = "access_token" }),
			req: request{header: [][2]string{
				{"Cookie", "access_token=" + tokenVar + "; access_token=" + tokenVar}}},
			want: badRequest("token source repeated")},
	}
}

// badTokenCases are tokens the gate rejects (class T).
func badTokenCases() []tcase {
	return []tcase{
		{name: "garbage", token: literal("not-a-token"), req: bearer,
			want: badToken("api", "not a compact JWS")},
		{name: "two segments", token: literal("eyJhbGciOiJSUzI1NiJ9.e30"), req: bearer,
			want: badToken("api", "not a compact JWS")},
		{name: "alg none unsigned", token: algNoneUnsigned, req: bearer,
			want: badToken("api", "not a compact JWS")},
		{name: "alg none with signature", token: algNoneSigned("none"), req: bearer,
			want: badToken("api", "token algorithm not allowed")},
		{name: "alg nOnE with signature", token: algNoneSigned("nOnE"), req: bearer,
			want: badToken("api", "token algorithm not allowed")},
		{name: "HS256 keyed with RSA PEM", token: hsWithRSAKey("pem"), req: bearer,
			want: badToken("api", "the algorithm does not fit the key")},
		{name: "HS256 keyed with RSA DER", token: hsWithRSAKey("der"), req: bearer,
			want: badToken("api", "the algorithm does not fit the key")},
		{name: "HS256 keyed with RSA modulus", token: hsWithRSAKey("modulus"), req: bearer,
			want: badToken("api", "the algorithm does not fit the key")},
		{name: "ES256 under an RSA kid", req: bearer,
			token: func(e *env) string {
				return e.iss.Mint(nil, gatetest.WithKey(kidES256), gatetest.WithKID(kidRS256))
			},
			want: badToken("api", "the algorithm does not fit the key")},
		{name: "no kid with several keys", token: withOptions(gatetest.WithoutKID()),
			req:  bearer,
			want: badToken("api", "the token has no kid and the issuer has several keys")},
		{name: "expired", token: withClaims(map[string]any{"exp": fromNow(-time.Hour)}),
			req: bearer, want: badToken("api", "token is expired")},
		{name: "nbf in the future",
			token: withClaims(map[string]any{"nbf": fromNow(time.Hour)}),
			req:   bearer, want: badToken("api", "token is not valid yet")},
		{name: "iat in the future",
			token: withClaims(map[string]any{"iat": fromNow(time.Hour)}),
			req:   bearer, want: badToken("api", "token issued in the future")},
		{name: "no exp", token: withClaims(map[string]any{"exp": nil}), req: bearer,
			want: badToken("api", "exp is required")},
		{name: "wrong iss",
			token: withClaims(map[string]any{"iss": "https://evil.example"}),
			req:   bearer, want: badToken("api", "token issuer not accepted")},
		{name: "iss with trailing slash", req: bearer,
			token: func(e *env) string { return e.rs256(map[string]any{"iss": e.iss.URL + "/"}) },
			want:  badToken("api", "token issuer not accepted")},
		{name: "wrong aud",
			token: withClaims(map[string]any{"aud": "https://other.example"}),
			req:   bearer, want: badToken("api", "token audience not accepted")},
		{name: "no aud", token: withClaims(map[string]any{"aud": nil}), req: bearer,
			want: badToken("api", "token audience not accepted")},
		{name: "empty aud array", token: withClaims(map[string]any{"aud": []string{}}),
			req:  bearer,
			want: badToken("api", "aud must be a non-empty string or array of them")},
		{name: "unknown kid", token: withOptions(gatetest.WithKID("no-such-key")),
			req: bearer, want: badToken("api", "unknown kid"), fetches: 1},
		{name: "bad signature", token: forgedSignature, req: bearer,
			want: badToken("api", "token signature is invalid")},
		{name: "oversized", token: oversized, req: bearer,
			want: badToken("api", "token too large")},
		{name: "duplicate claim", token: duplicateClaim, req: bearer,
			want: badToken("api", "payload is not a strict JSON object")},
		{name: "duplicate header member", token: duplicateHeader, req: bearer,
			want: badToken("api", "header is not a strict JSON object")},
		{name: "crit header", token: withOptions(gatetest.WithHeader("crit", []string{"exp"})),
			req: bearer, want: badToken("api", "unsupported crit header")},
	}
}

// scopeCases are route scope requirements (class S and their positive
// controls).
func scopeCases() []tcase {
	read := withClaims(map[string]any{"scope": "read"})
	return []tcase{
		{name: "admin without admin scope", token: read, req: adminReq,
			want: noScope("api", "admin")},
		{name: "admin without any scope", token: valid, req: adminReq,
			want: noScope("api", "admin")},
		{name: "admin via scope string",
			token: withClaims(map[string]any{"scope": "read admin"}),
			req:   adminReq, want: ok(bodyAdmin)},
		{name: "admin via scp array",
			token: withClaims(map[string]any{"scp": []string{"read", "admin"}}),
			req:   adminReq, want: ok(bodyAdmin)},
		{name: "group with read only", token: read, req: groupReq,
			want: noScope("api", "write")},
		{name: "group with write only",
			token: withClaims(map[string]any{"scope": "write"}),
			req:   groupReq, want: noScope("api", "read")},
		{name: "group with neither", token: valid, req: groupReq,
			want: noScope("api", "read")},
		{name: "group via scope string",
			token: withClaims(map[string]any{"scope": "read write"}),
			req:   groupReq, want: ok(bodyWriter)},
		{name: "group via scp array",
			token: withClaims(map[string]any{"scp": []string{"read", "write"}}),
			req:   groupReq, want: ok(bodyWriter)},
		{name: "scopes do not leak to /me",
			token: withClaims(map[string]any{"scope": "read admin"}),
			req:   bearer, want: ok(bodyAdmin)},
	}
}

// unavailableCases run against an issuer that fails every fetch
// (class U): a valid token is never called invalid.
func unavailableCases() []tcase {
	down := onGate(func(e *env) *jwtgate.Gate { return e.downGate })
	return []tcase{
		{name: "valid token", setup: down, token: valid, req: bearer, want: unavailable},
		{name: "valid token again", setup: down, token: valid, req: bearer,
			want: unavailable},
		{name: "no token", setup: down, req: noTokenReq, want: missing("api")},
		{name: "malformed request", setup: down, req: request{auth: []string{"Bearer"}},
			want: badRequest("bearer token is empty")},
	}
}

// optionalCases run with Options.Optional.
func optionalCases() []tcase {
	opt := withSetup(func(s *Setup) { s.Optional = true })
	return []tcase{
		{name: "no token", setup: opt, req: noTokenReq, want: ok(bodyAnon)},
		{name: "Basic scheme", setup: opt, req: request{auth: []string{"Basic dXNlcjpwYXNz"}},
			want: ok(bodyAnon)},
		{name: "valid token", setup: opt, token: valid, req: bearer, want: ok(bodyUser)},
		{name: "expired token",
			setup: opt, token: withClaims(map[string]any{"exp": fromNow(-time.Hour)}),
			req: bearer, want: badToken("api", "token is expired")},
		{name: "garbage token", setup: opt, token: literal("garbage"), req: bearer,
			want: badToken("api", "not a compact JWS")},
		{name: "Bearer alone", setup: opt, req: request{auth: []string{"Bearer"}},
			want: badRequest("bearer token is empty")},
		{name: "admin without token", setup: opt, req: request{target: "/admin"},
			want: missing("api")},
		{name: "group without token", setup: opt, req: request{target: "/group/write"},
			want: missing("api")},
		{name: "admin with admin scope", setup: opt,
			token: withClaims(map[string]any{"scope": "read admin"}),
			req:   adminReq, want: ok(bodyAdmin)},
	}
}

// skipCases run with Options.Skip, and without the middleware: scope
// checks that find no authentication fail closed.
func skipCases() []tcase {
	public := withSetup(func(s *Setup) { s.SkipPrefix = "/public/" })
	admin := withSetup(func(s *Setup) { s.SkipPrefix = "/admin" })
	group := withSetup(func(s *Setup) { s.SkipPrefix = "/group/" })
	noAuth := withSetup(func(s *Setup) { s.NoAuth = true })
	adminTok := withClaims(map[string]any{"scope": "read write admin"})
	return []tcase{
		{name: "skipped route without token", setup: public,
			req: request{target: "/public/ping"}, want: ok(bodyAnon)},
		{name: "skipped route ignores a valid token", setup: public, token: valid,
			req: publicReq, want: ok(bodyAnon)},
		{name: "skipped route ignores a bad token", setup: public, token: literal("garbage"),
			req: publicReq, want: ok(bodyAnon)},
		{name: "other route still protected", setup: public, req: noTokenReq,
			want: missing("api")},
		{name: "other route with token", setup: public, token: valid, req: bearer,
			want: ok(bodyUser)},
		{name: "skipped admin fails closed", setup: admin, token: adminTok, req: adminReq,
			want: missing("api")},
		{name: "skipped group fails closed", setup: group, token: adminTok, req: groupReq,
			want: missing("api")},
		{name: "no middleware: admin fails closed", setup: noAuth, token: adminTok,
			req: adminReq, want: missing("api")},
		{name: "no middleware: group fails closed", setup: noAuth, token: adminTok,
			req: groupReq, want: missing("api")},
		{name: "no middleware: me has no claims", setup: noAuth, token: valid, req: bearer,
			want: ok(bodyAnon)},
	}
}

// preflightCases are CORS preflights with and without SkipPreflight.
func preflightCases() []tcase {
	skip := withSetup(func(s *Setup) { s.SkipPreflight = true })
	return []tcase{
		{name: "skipped", setup: skip, req: preflight, want: noContent},
		{name: "not skipped", req: preflight, want: missing("api")},
		{name: "OPTIONS without Origin", setup: skip,
			req:  request{method: http.MethodOptions, header: corsHeaders[1:]},
			want: missing("api")},
		{name: "OPTIONS without request method", setup: skip,
			req:  request{method: http.MethodOptions, header: corsHeaders[:1]},
			want: missing("api")},
		{name: "GET with CORS headers", setup: skip,
			req: request{header: corsHeaders}, want: missing("api")},
	}
}

// sourceCases read the token from places other than Authorization.
func sourceCases() []tcase {
	header := withSetup(func(s *Setup) { s.Extractor.Header = "X-Access-Token" })
	cookie := withSetup(func(s *Setup) { s.Extractor.Cookie = "access_token" })
	query := withSetup(func(s *Setup) { s.Extractor.Query = "access_token" })
	cookieOnly := withSetup(func(s *Setup) {
		s.Extractor = jwtgate.Extractor{Cookie: "access_token", NoAuthorization: true}
	})
	return []tcase{
		{name: "custom header", setup: header, token: valid,
			req: request{header: [][2]string{{"X-Access-Token", tokenVar}}}, want: ok(bodyUser)},
		{name: "cookie", setup: cookie, token: valid,
			req:  request{header: [][2]string{{"Cookie", "access_token=" + tokenVar}}},
			want: ok(bodyUser)},
		{name: "query", setup: query, token: valid,
			req: request{target: "/me?access_token=" + tokenVar}, want: ok(bodyUser)},
		{name: "query repeated", setup: query, token: valid,
			req:  request{target: "/me?access_token=" + tokenVar + "&access_token=" + tokenVar},
			want: badRequest("token source repeated")},
		{name: "query and header", setup: query, token: valid,
			req:  request{target: "/me?access_token=" + tokenVar, auth: bearer.auth},
			want: badRequest("token in more than one place")},
		{name: "custom header with a bad token", setup: header,
			token: withClaims(map[string]any{"exp": fromNow(-time.Hour)}),
			req:   request{header: [][2]string{{"X-Access-Token", tokenVar}}},
			want:  badToken("api", "token is expired")},
		{name: "Authorization turned off", setup: cookieOnly, token: valid, req: bearer,
			want: missing("api")},
		{name: "Authorization still on with a cookie source", setup: cookie, token: valid,
			req: bearer, want: ok(bodyUser)},
	}
}

// realmCases check that every answer carries the gate's realm, except
// the fail-closed answer of a scope check without a record.
func realmCases() []tcase {
	realm := onGate(func(e *env) *jwtgate.Gate { return e.realmGate })
	skipAdmin := func(e *env) Setup { return Setup{Gate: e.realmGate, SkipPrefix: "/admin"} }
	return []tcase{
		{name: "valid token", setup: realm, token: valid, req: bearer, want: ok(bodyUser)},
		{name: "no token", setup: realm, req: noTokenReq, want: missing(otherRealm)},
		{name: "expired", setup: realm,
			token: withClaims(map[string]any{"exp": fromNow(-time.Hour)}),
			req:   bearer, want: badToken(otherRealm, "token is expired")},
		{name: "missing scope", setup: realm, token: valid, req: adminReq,
			want: noScope(otherRealm, "admin")},
		{name: "group scope", setup: realm,
			token: withClaims(map[string]any{"scope": "read"}),
			req:   groupReq, want: noScope(otherRealm, "write")},
		{name: "skipped admin uses the default realm", setup: skipAdmin, token: valid,
			req: adminReq, want: missing(jwtgate.DefaultRealm)},
	}
}
