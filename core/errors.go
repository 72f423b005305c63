package jwtgate

import (
	"errors"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Reasons a request or token is rejected. Validate and the extractor
// return an *Error that wraps exactly one of them, so callers branch
// with errors.Is. Where golang-jwt has an equivalent sentinel, the
// *Error matches it too (errors.Is(err, jwt.ErrTokenExpired) holds for
// an expired token).
var (
	// ErrTokenMissing means the request carries no token: no
	// Authorization header with the Bearer scheme and nothing in any
	// other configured source. It maps to 401 with a bare challenge.
	ErrTokenMissing = errors.New("jwtgate: no token in request")

	// ErrRequestMalformed means the request carries credentials in a
	// shape that cannot be read unambiguously: several Authorization
	// headers, a Bearer scheme with no token, a token with a space or
	// comma, or tokens in several sources at once. It maps to 400
	// invalid_request.
	ErrRequestMalformed = errors.New("jwtgate: malformed credentials in request")

	// ErrTokenMalformed means the token is not a well-formed compact
	// JWS: wrong segment count, bad base64url, a header or payload that
	// is not one strict JSON object, duplicate member names, a claim of
	// the wrong JSON type, an unsupported crit or b64 header, or a token
	// above the size limit.
	ErrTokenMalformed = errors.New("jwtgate: malformed token")

	// ErrAlgorithm means the token's alg is absent, not a string, "none",
	// or outside the allow-list.
	ErrAlgorithm = errors.New("jwtgate: token algorithm not allowed")

	// ErrKeyNotFound means no key of the token's issuer fits its kid and
	// alg, after at most one shared refresh of a remote key set.
	ErrKeyNotFound = errors.New("jwtgate: no key for token")

	// ErrSignatureInvalid means the signature does not verify with the
	// selected key.
	ErrSignatureInvalid = errors.New("jwtgate: token signature is invalid")

	// ErrTokenExpired means exp is at or before now minus the leeway.
	ErrTokenExpired = errors.New("jwtgate: token is expired")

	// ErrTokenNotYetValid means nbf is after now plus the leeway.
	ErrTokenNotYetValid = errors.New("jwtgate: token is not valid yet")

	// ErrTokenIssuedInFuture means iat is after now plus the leeway.
	ErrTokenIssuedInFuture = errors.New("jwtgate: token issued in the future")

	// ErrIssuer means iss is absent or names no configured issuer.
	ErrIssuer = errors.New("jwtgate: token issuer not accepted")

	// ErrAudience means aud is absent, malformed, or names none of the
	// configured audiences.
	ErrAudience = errors.New("jwtgate: token audience not accepted")

	// ErrClaimMissing means a claim the configuration requires is absent
	// (exp included, unless optional), or, for a claim other than the
	// registered ones, null. A registered claim that is null has the
	// wrong type: ErrTokenMalformed.
	ErrClaimMissing = errors.New("jwtgate: required claim missing")

	// ErrType means the header typ differs from the configured one.
	ErrType = errors.New("jwtgate: token type not accepted")

	// ErrClaimRejected means the configuration's Check hook refused the
	// token.
	ErrClaimRejected = errors.New("jwtgate: token claims rejected")

	// ErrInsufficientScope means the token lacks a required scope. It
	// maps to 403 insufficient_scope.
	ErrInsufficientScope = errors.New("jwtgate: insufficient scope")

	// ErrKeysUnavailable means the issuer's keys cannot be had right now:
	// the first fetch has not succeeded, or the last good key set is
	// older than the maximum stale age. It maps to 503 with Retry-After,
	// never to an invalid token.
	ErrKeysUnavailable = errors.New("jwtgate: signing keys unavailable")

	// ErrClosed means the Gate was closed.
	ErrClosed = errors.New("jwtgate: gate is closed")
)

// Error is the error Validate and the extractor return. It carries the
// rejection reason (one of the Err sentinels) and what an HTTP response
// needs; Response turns it into one.
type Error struct {
	// Reason is the sentinel that names the rejection.
	Reason error

	// Description is a short, safe, human-readable detail. It never holds
	// the token or key material and goes into error_description.
	Description string

	// Scopes lists the missing scopes for ErrInsufficientScope.
	Scopes []string

	// RetryAfter is set for ErrKeysUnavailable: when the next attempt to
	// fetch keys is due.
	RetryAfter time.Duration

	// Err is the underlying cause, if any (a context error, a fetch
	// error). It is matched by errors.Is and errors.As but not shown.
	Err error
}

// Error returns the reason followed by the description.
func (e *Error) Error() string {
	msg := e.Reason.Error()
	if e.Description != "" {
		msg += ": " + e.Description
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the reason, golang-jwt's equivalent sentinel where one
// exists, and the underlying cause.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 3)
	errs = append(errs, e.Reason)
	if j := jwtEquivalent(e.Reason); j != nil {
		errs = append(errs, j)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// Status returns the HTTP status the error maps to.
func (e *Error) Status() int {
	switch e.Reason {
	case ErrTokenMissing:
		return http.StatusUnauthorized
	case ErrRequestMalformed:
		return http.StatusBadRequest
	case ErrInsufficientScope:
		return http.StatusForbidden
	case ErrKeysUnavailable, ErrClosed:
		return http.StatusServiceUnavailable
	default:
		return http.StatusUnauthorized
	}
}

// Code returns the RFC 6750 error code: "" for a missing token,
// invalid_request, invalid_token, insufficient_scope, or
// temporarily_unavailable for a 503.
func (e *Error) Code() string {
	switch e.Reason {
	case ErrTokenMissing:
		return ""
	case ErrRequestMalformed:
		return "invalid_request"
	case ErrInsufficientScope:
		return "insufficient_scope"
	case ErrKeysUnavailable, ErrClosed:
		return "temporarily_unavailable"
	default:
		return "invalid_token"
	}
}

func jwtEquivalent(reason error) error {
	switch reason {
	case ErrTokenMalformed:
		return jwt.ErrTokenMalformed
	case ErrAlgorithm:
		return jwt.ErrTokenSignatureInvalid
	case ErrKeyNotFound:
		return jwt.ErrTokenUnverifiable
	case ErrSignatureInvalid:
		return jwt.ErrTokenSignatureInvalid
	case ErrTokenExpired:
		return jwt.ErrTokenExpired
	case ErrTokenNotYetValid:
		return jwt.ErrTokenNotValidYet
	case ErrTokenIssuedInFuture:
		return jwt.ErrTokenUsedBeforeIssued
	case ErrIssuer:
		return jwt.ErrTokenInvalidIssuer
	case ErrAudience:
		return jwt.ErrTokenInvalidAudience
	case ErrClaimMissing:
		return jwt.ErrTokenRequiredClaimMissing
	case ErrClaimRejected, ErrType:
		return jwt.ErrTokenInvalidClaims
	}
	return nil
}

// reject builds an *Error for reason with a fixed description.
func reject(reason error, desc string) *Error {
	return &Error{Reason: reason, Description: desc}
}

// sentinels lists every reason, for errors that wrap one without an
// *Error.
var sentinels = [...]error{
	ErrTokenMissing, ErrRequestMalformed, ErrTokenMalformed, ErrAlgorithm,
	ErrKeyNotFound, ErrSignatureInvalid, ErrTokenExpired, ErrTokenNotYetValid,
	ErrTokenIssuedInFuture, ErrIssuer, ErrAudience, ErrClaimMissing, ErrType,
	ErrClaimRejected, ErrInsufficientScope, ErrKeysUnavailable, ErrClosed,
}

// asError returns err as an *Error: the one it wraps, else one for the
// sentinel it wraps (so a bare ErrTokenMissing maps like any other),
// else ErrClaimRejected, so that every error has a response.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return &Error{Reason: s, Err: err}
		}
	}
	return &Error{Reason: ErrClaimRejected, Err: err}
}
