package fibergate

import (
	"bytes"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// carrier is the jwtgate.Carrier over one Fiber request. Every value it
// returns is a copy: fasthttp reuses the request's buffers once the
// handler returns, and the token must outlive them. It holds a single
// pointer, so turning it into an interface allocates nothing.
type carrier struct{ c *fiber.Ctx }

// Header returns a copy of every value of the header name, repeated
// headers included. Names are matched case-insensitively even when the
// app keeps header names as sent (Config.DisableHeaderNormalizing).
func (r carrier) Header(name string) []string {
	h := &r.c.Request().Header
	if r.c.App().Config().DisableHeaderNormalizing {
		return foldedHeader(h, name)
	}
	return clones(h.PeekAll(name))
}

// Cookie returns a copy of the value of every cookie called name.
func (r carrier) Cookie(name string) []string {
	var vals []string
	r.c.Request().Header.VisitAllCookie(func(k, v []byte) {
		if string(k) == name {
			vals = append(vals, string(v))
		}
	})
	return vals
}

// Query returns a copy of every value of the query parameter name.
func (r carrier) Query(name string) []string {
	return clones(r.c.Request().URI().QueryArgs().PeekMulti(name))
}

// foldedHeader scans every header of h for name in any letter case.
func foldedHeader(h *fasthttp.RequestHeader, name string) []string {
	var vals []string
	h.VisitAll(func(k, v []byte) {
		if bytes.EqualFold(k, []byte(name)) {
			vals = append(vals, string(v))
		}
	})
	return vals
}

// clones copies byte slices that fasthttp owns into strings.
func clones(vals [][]byte) []string {
	if len(vals) == 0 {
		return nil
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}
