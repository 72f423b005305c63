// Package httpgate protects net/http handlers with a jwtgate.Gate.
//
// New returns standard middleware, func(http.Handler) http.Handler, that
// finds the bearer token in each request, validates it with the Gate and
// passes the request on with the claims attached. A request it rejects
// gets the Gate's RFC 6750 response: status, WWW-Authenticate challenge,
// Retry-After when the keys are unavailable, and a small JSON body.
//
// RequireScopes adds per-route scope checks behind New, and Claims reads
// the claims in a handler. The claims are also in the request's context
// under jwtgate.NewContext, so code that knows nothing of net/http reads
// them with jwtgate.FromContext.
//
// The package holds no validation logic: the token's source rules come
// from jwtgate.Extractor, its checks from the Gate, and the response
// from jwtgate.Response.
package httpgate
