package benchmarks

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"

	jwtgate "github.com/jwtgate/jwtgate/core"
	gingate "github.com/jwtgate/jwtgate/gin"
)

// ginClaimsKey is where the handwritten middleware stores the claims.
const ginClaimsKey = "claims"

// ginEngine returns a Gin engine with no default middleware. Gin's
// mode is process-wide; release mode is what a production server runs
// and keeps Gin from printing its debug lines.
func ginEngine() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	return gin.New()
}

// ginSubject answers the subject as the body.
func ginSubject(c *gin.Context, sub string) {
	c.Status(http.StatusOK)
	c.Writer.WriteString(sub)
}

// newGinBare is an engine with no middleware.
func newGinBare(_ *Env, alg string) (*Stack, error) {
	r := ginEngine()
	r.GET(route, func(c *gin.Context) { ginSubject(c, Subject) })
	return &Stack{
		Framework: FrameworkGin, Name: StackBare, Alg: alg, Kind: KindBare,
		Config:       "gin.New(), no middleware",
		newRequester: httpStack(r),
	}, nil
}

// newGinJWTGate is an engine using gingate.New with default Options.
func newGinJWTGate(e *Env, alg string, cached bool) (*Stack, error) {
	return e.gateStack(FrameworkGin, alg, cached, "gingate.New(gate, Options{})",
		func(g *jwtgate.Gate) serving {
			r := ginEngine()
			r.Use(gingate.New(g, gingate.Options{}))
			r.GET(route, func(c *gin.Context) {
				cl, _ := gingate.Claims(c)
				ginSubject(c, cl.Subject)
			})
			return httpStack(r)
		})
}

// newGinKeyfunc is an engine using the middleware Gin users write by
// hand, there being no maintained JWKS middleware for Gin: read the
// Authorization header, strip "Bearer ", parse with golang-jwt and a
// keyfunc v3 Keyfunc, abort with 401 on error, store the claims with
// c.Set. The parser carries the options of parserOptions.
func newGinKeyfunc(e *Env, alg string) (*Stack, error) {
	kf, stop, err := e.newKeyfunc(alg)
	if err != nil {
		return nil, err
	}
	p := jwt.NewParser(e.parserOptions(alg)...)
	keyFunc := kf.Keyfunc
	r := ginEngine()
	r.Use(func(c *gin.Context) {
		raw := strings.TrimPrefix(c.GetHeader("Authorization"), "Bearer ")
		token, err := p.Parse(raw, keyFunc)
		if err != nil {
			c.AbortWithStatus(http.StatusUnauthorized)
			return
		}
		c.Set(ginClaimsKey, token.Claims)
		c.Next()
	})
	r.GET(route, func(c *gin.Context) {
		sub, _ := c.MustGet(ginClaimsKey).(jwt.Claims).GetSubject()
		ginSubject(c, sub)
	})
	s := &Stack{
		Framework: FrameworkGin, Name: StackKeyfunc, Alg: alg, Kind: KindPeer,
		Config: "handwritten: TrimPrefix \"Bearer \", " + parserConfig +
			".Parse(token, kf.Keyfunc), AbortWithStatus(401), c.Set; " + keyfuncConfig(alg),
		newRequester: httpStack(r),
	}
	s.onClose(stop)
	return s, nil
}
