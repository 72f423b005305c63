package jwtgate

import "context"

type claimsKey struct{}

// NewContext returns a copy of ctx that carries c. Every adapter stores
// the validated claims this way, so framework-neutral code reads them
// with FromContext.
func NewContext(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, c)
}

// FromContext returns the claims stored in ctx by NewContext, and
// whether there were any. A request that passed optional authentication
// without a token has none.
func FromContext(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok && c != nil
}
