package benchmarks

import (
	"net/http"

	"github.com/golang-jwt/jwt/v5"
	echojwt "github.com/labstack/echo-jwt/v4"
	"github.com/labstack/echo/v4"

	jwtgate "github.com/jwtgate/jwtgate/core"
	echogate "github.com/jwtgate/jwtgate/echo"
)

// echoSubject answers the subject as the body.
func echoSubject(c echo.Context, sub string) error {
	return c.String(http.StatusOK, sub)
}

// newEchoBare is an Echo instance with no middleware.
func newEchoBare(_ *Env, alg string) (*Stack, error) {
	e := echo.New()
	e.GET(route, func(c echo.Context) error { return echoSubject(c, Subject) })
	return &Stack{
		Framework: FrameworkEcho, Name: StackBare, Alg: alg, Kind: KindBare,
		Config:       "echo.New(), no middleware",
		newRequester: httpStack(e),
	}, nil
}

// newEchoJWTGate is an Echo instance using echogate.New with default
// Options.
func newEchoJWTGate(env *Env, alg string, cached bool) (*Stack, error) {
	return env.gateStack(FrameworkEcho, alg, cached, "echogate.New(gate, Options{})",
		func(g *jwtgate.Gate) serving {
			e := echo.New()
			e.Use(echogate.New(g, echogate.Options{}))
			e.GET(route, func(c echo.Context) error {
				cl, _ := echogate.Claims(c)
				return echoSubject(c, cl.Subject)
			})
			return httpStack(e)
		})
}

// newEchoJWT is an Echo instance using labstack/echo-jwt as its README
// pairs it with keyfunc: a ParseTokenFunc that parses with golang-jwt
// and a keyfunc v3 Keyfunc. echo-jwt's own KeyFunc path calls
// jwt.ParseWithClaims with no parser options, so the ParseTokenFunc is
// also where the checks of parserOptions go. Everything else is
// echo-jwt's default: token from "Authorization: Bearer", stored under
// "user", errors answered by Echo's HTTPErrorHandler.
func newEchoJWT(env *Env, alg string) (*Stack, error) {
	kf, stop, err := env.newKeyfunc(alg)
	if err != nil {
		return nil, err
	}
	p := jwt.NewParser(env.parserOptions(alg)...)
	keyFunc := kf.Keyfunc
	e := echo.New()
	e.Use(echojwt.WithConfig(echojwt.Config{
		ParseTokenFunc: func(_ echo.Context, auth string) (any, error) {
			return p.Parse(auth, keyFunc)
		},
	}))
	e.GET(route, func(c echo.Context) error {
		sub, _ := c.Get("user").(*jwt.Token).Claims.GetSubject()
		return echoSubject(c, sub)
	})
	s := &Stack{
		Framework: FrameworkEcho, Name: StackEchoJWT, Alg: alg, Kind: KindPeer,
		Config: "echojwt.WithConfig(Config{ParseTokenFunc: " + parserConfig +
			".Parse(auth, kf.Keyfunc)}); " + keyfuncConfig(alg),
		newRequester: httpStack(e),
	}
	s.onClose(stop)
	return s, nil
}
