package gatetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// serveHTTP routes a request to one of the two documents and applies the
// current fault.
func (i *Issuer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	isJWKS := r.URL.Path == jwksPath
	if !isJWKS && r.URL.Path != discoveryPath {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "gatetest: method not allowed", http.StatusMethodNotAllowed)
		return
	}

	f := i.receive(isJWKS)
	if !f.hold(r.Context()) || f.Reset {
		breakConnection(w)
		return
	}
	i.respond(w, r, isJWKS, f)
}

// receive counts a request and returns the fault it is subject to.
func (i *Issuer) receive(isJWKS bool) Fault {
	i.mu.Lock()
	defer i.mu.Unlock()
	if isJWKS {
		i.fetches++
	} else {
		i.discoveryFetches++
	}
	return i.fault
}

// respond writes the response: the document, or what f puts in its place.
func (i *Issuer) respond(w http.ResponseWriter, r *http.Request, isJWKS bool, f Fault) {
	doc, cacheControl := i.document(isJWKS)
	status, body, contentType := f.response(doc)

	h := w.Header()
	if isJWKS && cacheControl != "" {
		h.Set("Cache-Control", cacheControl)
	}
	if !bodyAllowed(status) {
		w.WriteHeader(status)
		return
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if f.SlowBody > 0 {
		writeSlowly(r.Context(), w, body, f.SlowBody)
		return
	}
	_, _ = w.Write(body)
}

// response returns what to send in place of the document doc: its status,
// body and content type.
func (f Fault) response(doc []byte) (status int, body []byte, contentType string) {
	status = http.StatusOK
	if f.Status != 0 {
		status = f.Status
	}
	switch {
	case f.Body != nil:
		return status, f.Body, "application/json"
	case status != http.StatusOK:
		text := fmt.Appendf(nil, "gatetest: injected %d %s\n", status, http.StatusText(status))
		return status, text, "text/plain; charset=utf-8"
	}
	return status, doc, "application/json"
}

// bodyAllowed reports whether a response with status may carry a body.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// document returns the current key set or discovery document, and the
// Cache-Control value for the key set.
func (i *Issuer) document(isJWKS bool) (body []byte, cacheControl string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if isJWKS {
		return i.keySet(), i.cacheControl
	}
	return i.discovery(), ""
}

// keySet returns the JWKS body. The caller holds i.mu.
func (i *Issuer) keySet() []byte {
	if i.rawJWKS != nil {
		return bytes.Clone(i.rawJWKS)
	}

	// The members are joined by hand rather than marshalled, so that raw
	// JWKs reach the client byte for byte, even when they are not JSON.
	var members [][]byte
	for _, k := range i.keys {
		if k.published {
			members = append(members, k.jwk)
		}
	}
	for _, raw := range i.rawKeys {
		members = append(members, raw)
	}
	var b bytes.Buffer
	b.WriteString(`{"keys":[`)
	b.Write(bytes.Join(members, []byte(",")))
	b.WriteString("]}")
	return b.Bytes()
}

// discovery returns the discovery document. The caller holds i.mu.
func (i *Issuer) discovery() []byte {
	doc := struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}{i.URL, i.JWKSURL()}
	if i.advertisedIssuer != "" {
		doc.Issuer = i.advertisedIssuer
	}
	if i.advertisedJWKS != "" {
		doc.JWKSURI = i.advertisedJWKS
	}
	b, _ := json.Marshal(doc) // a struct of two strings always marshals
	return b
}
