// Package gingate authenticates Gin requests with a jwtgate Gate.
//
// New returns a gin.HandlerFunc that finds the bearer token with a
// jwtgate.Extractor, validates it with the Gate and stores the claims
// in the request's context.Context (c.Request.Context()), where Claims
// reads them from the gin.Context and jwtgate.FromContext reads them
// for code that knows nothing of Gin: both see the same
// *jwtgate.Claims.
// A rejected request is answered with the Gate's RFC 6750 response,
// byte for byte what the other jwtgate adapters send, and aborted.
//
// RequireScopes guards a route or a group with scopes. It answers
// through the error handler of the middleware that authenticated the
// request, and fails closed with 401 when no such middleware ran.
//
// The package holds no validation logic of its own: every decision is
// the Gate's, and every response comes from jwtgate.ResponseFor.
package gingate
