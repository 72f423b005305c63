package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/jwtgate/jwtgate/benchmarks"
)

// maxBody bounds the body of a response.
const maxBody = 64 << 10

// errMalformed reports a response the reader cannot parse.
var errMalformed = errors.New("malformed response")

// request returns GET Route on host with token as Bearer credentials,
// as HTTP/1.1 bytes on the wire.
func request(host, token string) []byte {
	return []byte("GET " + benchmarks.Route + " HTTP/1.1\r\nHost: " + host +
		"\r\nAuthorization: Bearer " + token + "\r\n\r\n")
}

// requests returns a request for each token.
func requests(host string, tokens []string) [][]byte {
	out := make([][]byte, len(tokens))
	for i, tok := range tokens {
		out[i] = request(host, tok)
	}
	return out
}

// readResponse reads one response from br and returns its status code
// and its body, read into buf's memory. It takes the length of the
// body from Content-Length, which every server here sends for a short
// body; a response without one is an error.
func readResponse(br *bufio.Reader, buf []byte) (int, []byte, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, nil, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, nil, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, fmt.Errorf("%w: status line %q", errMalformed, line)
	}

	n, err := readHeader(br)
	if err != nil {
		return status, nil, err
	}
	if n < 0 || n > maxBody {
		return status, nil, fmt.Errorf("%w: status %d, body length %d", errMalformed, status, n)
	}
	body := slices.Grow(buf[:0], n)[:n]
	_, err = io.ReadFull(br, body)
	return status, body, err
}

// readHeader reads the header fields up to the blank line and returns
// the Content-Length, or -1 without one.
func readHeader(br *bufio.Reader) (int, error) {
	const name = "content-length:"
	n := -1
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return n, err
		}
		if len(line) <= 2 {
			return n, nil
		}
		if len(line) > len(name) && bytes.EqualFold(line[:len(name)], []byte(name)) {
			v := bytes.TrimSpace(line[len(name):])
			if n, err = strconv.Atoi(string(v)); err != nil {
				return n, fmt.Errorf("%w: Content-Length %q", errMalformed, v)
			}
		}
	}
}
