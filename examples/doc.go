// Package examples holds no code of its own: it is the root of the
// module of runnable jwtgate examples, one program per framework in
// the directories nethttp, gin, echo and fiber, and of the tests that
// build and drive those programs over loopback.
//
// Each program serves the same three routes, GET /healthz (public),
// GET /me (any valid token) and GET /admin (a token with the "admin"
// scope), behind the jwtgate adapter of its framework. See README.md
// for how to run them.
package examples
