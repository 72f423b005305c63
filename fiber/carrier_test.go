package fibergate_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
	jwtgate "github.com/jwtgate/jwtgate/core"
	fibergate "github.com/jwtgate/jwtgate/fiber"
	"github.com/valyala/fasthttp"
)

func TestCarrier(t *testing.T) {
	app := fiber.New()
	app.Get("/", func(c *fiber.Ctx) error {
		cr := fibergate.NewCarrier(c)
		return c.JSON([][]string{cr.Header("X-Token"), cr.Cookie("t"), cr.Query("t")})
	})

	tests := []struct {
		name   string
		target string
		header []string
		want   [3][]string // header, cookie, query
	}{
		{"nothing", "/", nil, [3][]string{}},
		{"header", "/", []string{"X-Token", "a"}, [3][]string{{"a"}}},
		{"header name in any case", "/", []string{"x-TOKEN", "a"}, [3][]string{{"a"}}},
		{"header repeated", "/", []string{"X-Token", "a", "X-Token", "b"},
			[3][]string{{"a", "b"}}},
		{"cookie", "/", []string{"Cookie", "u=0; t=a"}, [3][]string{nil, {"a"}}},
		{"cookie repeated", "/", []string{"Cookie", "t=a; u=0; t=b"},
			[3][]string{nil, {"a", "b"}}},
		{"cookie in two headers", "/", []string{"Cookie", "t=a", "Cookie", "t=b"},
			[3][]string{nil, {"a", "b"}}},
		{"query", "/?u=0&t=a", nil, [3][]string{nil, nil, {"a"}}},
		{"query repeated", "/?t=a&u=0&t=b", nil, [3][]string{nil, nil, {"a", "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := serve(t, app, request("GET", tt.target, tt.header...))
			var got [3][]string
			if err := json.Unmarshal([]byte(res.body), &got); err != nil {
				t.Fatalf("status %d, body %q: %v", res.status, res.body, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// retained is what a handler keeps of a request after it ended.
type retained struct {
	token   int // index of the token the request carried
	claims  *jwtgate.Claims
	context *jwtgate.Claims
	auth    []string
	cookie  []string
	query   []string
}

// retainedKey is the c.Locals key under which the handler leaves its
// record for the worker that served the request.
type retainedKey struct{}

// TestValuesOutliveRequest serves requests on reused fasthttp contexts,
// as a fasthttp server does, from several goroutines at once. Handlers
// keep the claims and every value the carrier read; after later
// requests with other tokens of the same length have overwritten the
// request buffers in place, the kept values must not have changed.
func TestValuesOutliveRequest(t *testing.T) {
	iss, g := newIssuer(t, nil)
	tokens := make([]string, 10)
	for i := range tokens {
		tokens[i] = iss.Mint(map[string]any{"sub": fmt.Sprintf("user-%d", i)})
		if len(tokens[i]) != len(tokens[0]) {
			t.Fatalf("token lengths differ: %d and %d", len(tokens[i]), len(tokens[0]))
		}
	}

	app := fiber.New()
	app.Use(fibergate.New(g, fibergate.Options{}))
	app.Get("/me", func(c *fiber.Ctx) error {
		r := &retained{token: -1}
		r.claims, _ = fibergate.Claims(c)
		r.context, _ = jwtgate.FromContext(c.UserContext())
		cr := fibergate.NewCarrier(c)
		r.auth, r.cookie, r.query = cr.Header("Authorization"), cr.Cookie("t"), cr.Query("t")
		c.Locals(retainedKey{}, r)
		return c.SendStatus(fiber.StatusNoContent)
	})

	const workers, requests = 8, 50
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { errs <- reuseContext(app.Handler(), tokens, w, requests) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// reuseContext serves n requests on one fasthttp context, each with the
// next token, and checks after each one every record kept so far.
func reuseContext(h fasthttp.RequestHandler, tokens []string, first, n int) error {
	var fctx fasthttp.RequestCtx
	fctx.Init(&fasthttp.Request{}, nil, nil)
	var kept []*retained
	for i := range n {
		tok := (first + i) % len(tokens)
		r, err := serveToken(h, &fctx, tokens[tok])
		if err != nil {
			return err
		}
		r.token = tok
		kept = append(kept, r)
		for _, r := range kept {
			if err := r.check(tokens); err != nil {
				return fmt.Errorf("after request %d: %w", i, err)
			}
		}
	}
	return nil
}

// serveToken resets fctx as a server does between requests, loads it
// with token in the Authorization header, a cookie and the query, and
// serves it with h.
func serveToken(h fasthttp.RequestHandler, fctx *fasthttp.RequestCtx, token string) (
	*retained, error,
) {
	fctx.Request.Reset()
	fctx.Response.Reset()
	fctx.ResetUserValues()
	fctx.Request.Header.SetMethod(fasthttp.MethodGet)
	fctx.Request.SetRequestURI("/me?t=" + token)
	fctx.Request.Header.Set(fasthttp.HeaderAuthorization, "Bearer "+token)
	fctx.Request.Header.SetCookie("t", token)

	h(fctx)
	r, ok := fctx.UserValue(retainedKey{}).(*retained)
	if status := fctx.Response.StatusCode(); status != fiber.StatusNoContent || !ok {
		return nil, fmt.Errorf("status %d, body %s", status, fctx.Response.Body())
	}
	return r, nil
}

// check compares r with what its request carried.
func (r *retained) check(tokens []string) error {
	tok := tokens[r.token]
	switch sub := fmt.Sprintf("user-%d", r.token); {
	case r.claims == nil || r.claims.Subject != sub:
		return fmt.Errorf("claims %+v, want subject %s", r.claims, sub)
	case r.context != r.claims:
		return fmt.Errorf("context claims %p, typed claims %p", r.context, r.claims)
	case !slices.Equal(r.auth, []string{"Bearer " + tok}):
		return fmt.Errorf("Authorization of the request with token %d changed", r.token)
	case !slices.Equal(r.cookie, []string{tok}):
		return fmt.Errorf("cookie of the request with token %d changed", r.token)
	case !slices.Equal(r.query, []string{tok}):
		return fmt.Errorf("query of the request with token %d changed", r.token)
	}
	return nil
}
