package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
)

// Tokens the embedded issuer hands out at start.
const (
	// Subject is their sub claim.
	Subject = "demo-user"

	// TokenTTL is how long they stay valid.
	TokenTTL = time.Hour
)

// PrintTry mints two tokens with iss, one granting the scopes "read"
// and "admin" and one only "read", and prints them to w as shell
// assignments, TOKEN= and READ_TOKEN=, followed by curl commands for
// the program at base. Lines that explain start with '#'.
func PrintTry(w io.Writer, iss *Issuer, base string) error {
	token, err := iss.Mint(Subject, []string{"read", "admin"}, TokenTTL)
	if err != nil {
		return err
	}
	readToken, err := iss.Mint(Subject, []string{"read"}, TokenTTL)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, `# embedded issuer %s, audience %q
# TOKEN grants "read admin", READ_TOKEN only "read" (so /admin answers 403).
# Both are valid for %.0f minutes.
TOKEN=%s
READ_TOKEN=%s
curl -i -H "Authorization: Bearer $TOKEN" %s/me
curl -i -H "Authorization: Bearer $READ_TOKEN" %s/admin
`, iss.URL, iss.Audience, TokenTTL.Minutes(), token, readToken, base, base)
	return err
}

// Identity is the JSON body of /me and /admin.
type Identity struct {
	// Subject is the token's sub claim.
	Subject string `json:"sub"`

	// Scopes are the scopes the token grants, in token order.
	Scopes []string `json:"scopes"`
}

// Identify returns the identity of validated claims; its Scopes is
// never nil, so that it encodes as a JSON array. Nil claims, which the
// middleware in front of every route that calls it rules out, give an
// empty identity.
func Identify(c *jwtgate.Claims) Identity {
	id := Identity{Scopes: []string{}}
	if c != nil {
		id.Subject = c.Subject
		id.Scopes = append(id.Scopes, c.Scopes...)
	}
	return id
}

// Health is the JSON body of /healthz.
type Health struct {
	// Status is "ok" while the program serves.
	Status string `json:"status"`
}

// Healthy returns the body of a healthy /healthz.
func Healthy() Health {
	return Health{Status: "ok"}
}

// WriteJSON answers with status 200 and v as JSON, for net/http
// handlers; the frameworks have their own calls for it.
func WriteJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	// An error here is the client's connection failing: nothing is left
	// to tell it.
	_ = json.NewEncoder(w).Encode(v)
}
