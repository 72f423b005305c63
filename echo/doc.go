// Package echogate authenticates Echo (v4) requests with a jwtgate Gate.
//
// New returns an echo.MiddlewareFunc that finds the bearer token with a
// jwtgate.Extractor, validates it with Gate.Validate and stores the
// claims in the request's context.Context through jwtgate.NewContext:
// Claims reads them from the echo.Context, and framework-neutral code
// reads the same *jwtgate.Claims with jwtgate.FromContext. The
// echo.Context's own store (Set and Get) is left to the application. A
// rejected request gets the Gate's RFC 6750 response, byte for byte the
// one every other jwtgate adapter sends, unless Options.ErrorHandler
// answers it instead.
//
// RequireScopes guards a route or a group with the scopes a token must
// grant. Guards compose: a group's guard and a route's guard both
// apply. A guard that runs where New did not authenticate the request,
// because the middleware is missing or skipped it, rejects the request
// with 401: it fails closed.
//
// Register New with Echo.Use so that it covers every route. Echo runs
// Use middleware after routing, so a request for an unknown path or
// method is authenticated before it gets its 404 or 405.
//
// The package holds no validation logic of its own: every decision
// comes from the core package, github.com/jwtgate/jwtgate/core.
package echogate
