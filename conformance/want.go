package conformance

import "net/http"

// Bodies the test handlers answer with, as Body writes them.
const (
	bodyUser = `{"authenticated":true,"sub":"user-1","scopes":[],` +
		`"context_sub":"user-1","same":true}`
	bodyAnon = `{"authenticated":false,"sub":"","scopes":[],` +
		`"context_sub":"","same":true}`
	bodyAdmin = `{"authenticated":true,"sub":"user-1","scopes":["read","admin"],` +
		`"context_sub":"user-1","same":true}`
	bodyWriter = `{"authenticated":true,"sub":"user-1","scopes":["read","write"],` +
		`"context_sub":"user-1","same":true}`
	bodyHS256 = `{"authenticated":true,"sub":"hs-user","scopes":[],` +
		`"context_sub":"hs-user","same":true}`
	bodyMissing = `{"error":"unauthorized","error_description":"a bearer token is required"}`
)

// ok is a 200 answer with body.
func ok(body string) want { return want{status: http.StatusOK, body: body} }

// noContent is the 204 answer to OPTIONS /me.
var noContent = want{status: http.StatusNoContent}

// missing is the answer to a request without a token (class M): a bare
// challenge.
func missing(realm string) want {
	return want{
		status:    http.StatusUnauthorized,
		challenge: `Bearer realm="` + realm + `"`,
		body:      bodyMissing,
	}
}

// badRequest is the answer to malformed credentials (class R).
func badRequest(desc string) want {
	return want{
		status: http.StatusBadRequest,
		challenge: `Bearer realm="api", error="invalid_request", error_description="` +
			desc + `"`,
		body: `{"error":"invalid_request","error_description":"` + desc + `"}`,
	}
}

// badToken is the answer to a token the gate rejects (class T).
func badToken(realm, desc string) want {
	return want{
		status: http.StatusUnauthorized,
		challenge: `Bearer realm="` + realm + `", error="invalid_token", error_description="` +
			desc + `"`,
		body: `{"error":"invalid_token","error_description":"` + desc + `"}`,
	}
}

// noScope is the answer to a token that lacks scope (class S).
func noScope(realm, scope string) want {
	const desc = "the token lacks a required scope"
	return want{
		status: http.StatusForbidden,
		challenge: `Bearer realm="` + realm + `", error="insufficient_scope", error_description="` +
			desc + `", scope="` + scope + `"`,
		body: `{"error":"insufficient_scope","error_description":"` + desc +
			`","scope":"` + scope + `"}`,
	}
}

// unavailable is the answer while the issuer's keys cannot be fetched
// (class U).
var unavailable = want{
	status:     http.StatusServiceUnavailable,
	challenge:  `Bearer realm="api"`,
	retryAfter: true,
	body: `{"error":"temporarily_unavailable",` +
		`"error_description":"signing keys are unavailable, retry later"}`,
}
