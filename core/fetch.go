package jwtgate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxRedirects bounds the same-origin redirects a fetch follows.
const maxRedirects = 3

// fetcher performs the Gate's HTTP requests with its limits.
type fetcher struct {
	client  *http.Client
	maxBody int64
}

func newFetcher(c *http.Client, maxBody int64) *fetcher {
	var cl http.Client
	if c != nil {
		cl = *c
	}
	cl.CheckRedirect = sameOriginRedirect
	cl.Timeout = 0 // every fetch has its own deadline
	return &fetcher{client: &cl, maxBody: maxBody}
}

// sameOriginRedirect follows a redirect only to the scheme and host of
// the first request, which also rules out a downgrade to http.
func sameOriginRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return errors.New("jwtgate: too many redirects")
	}
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		return fmt.Errorf("jwtgate: redirect to another origin %s://%s refused",
			req.URL.Scheme, req.URL.Host)
	}
	return nil
}

// checkFetchURL accepts https URLs and http URLs on loopback hosts.
func checkFetchURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("jwtgate: invalid URL %q: %w", raw, err)
	}
	switch {
	case u.Host == "":
		return fmt.Errorf("jwtgate: URL %q has no host", raw)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("jwtgate: URL %q must use https (http only on loopback)", raw)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// get fetches url and returns its body, at most maxBody bytes, and the
// refresh interval the response asks for (0 when it names none).
func (f *fetcher) get(ctx context.Context, url string) ([]byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("jwtgate: GET %s: status %d", url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBody+1))
	if err != nil {
		return nil, 0, fmt.Errorf("jwtgate: reading %s: %w", url, err)
	}
	if int64(len(body)) > f.maxBody {
		return nil, 0, fmt.Errorf("jwtgate: %s is larger than %d bytes", url, f.maxBody)
	}
	return body, maxAge(resp.Header.Get("Cache-Control")), nil
}

// discover reads the OpenID Connect discovery document of issuer and
// returns its jwks_uri, after checking that the document names the
// same issuer.
func (f *fetcher) discover(ctx context.Context, issuer string) (string, error) {
	body, _, err := f.get(ctx, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration")
	if err != nil {
		return "", err
	}
	var doc struct{ Issuer, JWKSURI string }
	err = scanObject(body, func(name, value []byte) error {
		var dst *string
		switch string(name) {
		case "issuer":
			dst = &doc.Issuer
		case "jwks_uri":
			dst = &doc.JWKSURI
		default:
			return nil
		}
		s, ok := rawString(value)
		if !ok {
			return fmt.Errorf("%s is not a string", name)
		}
		*dst = string(s)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("jwtgate: discovery document: %w", err)
	}
	if doc.Issuer != issuer {
		return "", fmt.Errorf("jwtgate: discovery names issuer %q, want %q", doc.Issuer, issuer)
	}
	if err := checkFetchURL(doc.JWKSURI); err != nil {
		return "", fmt.Errorf("jwtgate: discovery jwks_uri: %w", err)
	}
	return doc.JWKSURI, nil
}

// maxAge returns the max-age of a Cache-Control value, or 0.
func maxAge(cc string) time.Duration {
	for part := range strings.SplitSeq(cc, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || !strings.EqualFold(name, "max-age") {
			continue
		}
		secs, err := strconv.ParseInt(strings.Trim(val, `"`), 10, 64)
		if err != nil || secs <= 0 || secs > 1<<31 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	return 0
}
