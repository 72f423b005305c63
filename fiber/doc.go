// Package fibergate is the Fiber v2 adapter of jwtgate: middleware that
// authenticates each request with a jwtgate.Gate and answers failures
// with the Gate's RFC 6750 response.
//
// New returns a fiber.Handler to mount with app.Use or on a group. It
// finds the token with an Extractor, validates it with the Gate and, on
// success, stores the claims twice: in c.Locals, where Claims reads
// them, and in the user context (c.UserContext), where
// jwtgate.FromContext finds them, so code that knows nothing of Fiber
// sees the same pointer. RequireScopes adds scope checks to a route or
// group; stacked checks all apply. The adapter holds no validation
// logic of its own: every decision is the core's, and rejected requests
// get the very status, headers and body the other jwtgate adapters send.
//
// # Request buffers
//
// fasthttp reuses the memory of a request once its handler returns.
// The adapter copies every header, cookie and query value it reads, so
// the claims and anything derived from them stay valid after the
// request ends. Repeated Authorization headers are all seen, and such a
// request is rejected as malformed. Header names match in any letter
// case, also in an app that keeps names as sent
// (fiber.Config.DisableHeaderNormalizing).
//
// # Large tokens
//
// fasthttp reads the request line and headers into a buffer of
// fiber.Config.ReadBufferSize bytes, 4096 by default, and answers a
// request whose headers do not fit with 431 Request Header Fields Too
// Large before any handler runs. Tokens that approach the Gate's
// MaxTokenSize (8 KiB by default) therefore never reach the Gate. Size
// the buffer for the largest token plus the other headers, for
// instance:
//
//	app := fiber.New(fiber.Config{ReadBufferSize: 16 << 10})
//
// The buffer is allocated per connection, so a larger value costs
// memory on servers with many idle connections.
//
// # Behind adaptor.FiberApp
//
// Fiber's adaptor package turns a net/http request into a fasthttp one
// with Header.Set, which keeps only the last value of a repeated
// header. Behind it, a request with two Authorization headers reaches
// this middleware with one, and cannot be told apart from an ordinary
// request. Served by Fiber's own listener, the repetition is seen.
package fibergate
