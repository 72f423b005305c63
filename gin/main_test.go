package gingate_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"go.uber.org/goleak"

	"github.com/jwtgate/jwtgate/conformance"
	jwtgate "github.com/jwtgate/jwtgate/core"
	gingate "github.com/jwtgate/jwtgate/gin"
)

// TestMain runs Gin in release mode and fails the run if any test
// leaves a goroutine behind.
func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode)
	goleak.VerifyTestMain(m)
}

// newApp registers the conformance routes behind the given middleware.
func newApp(middleware ...gin.HandlerFunc) *gin.Engine {
	r := gin.New()
	r.Use(middleware...)
	r.GET("/me", me)
	r.GET("/admin", gingate.RequireScopes("admin"), me)
	g := r.Group("/group", gingate.RequireScopes("read"))
	g.GET("/write", gingate.RequireScopes("write"), me)
	r.GET("/public/ping", me)
	r.OPTIONS("/me", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	return r
}

// me answers with the claims the adapter and the request context hold.
func me(c *gin.Context) {
	typed, _ := gingate.Claims(c)
	fromCtx, _ := jwtgate.FromContext(c.Request.Context())
	c.Data(http.StatusOK, "application/json", conformance.Body(typed, fromCtx))
}
