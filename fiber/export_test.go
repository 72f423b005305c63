package fibergate

import (
	"github.com/gofiber/fiber/v2"
	jwtgate "github.com/jwtgate/jwtgate/core"
)

// NewCarrier gives the external tests the Carrier the middleware reads
// a request through.
func NewCarrier(c *fiber.Ctx) jwtgate.Carrier { return carrier{c} }
