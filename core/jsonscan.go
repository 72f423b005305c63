package jwtgate

import (
	"bytes"
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// The strict JSON reader of token headers, payloads and JWKs. It accepts
// exactly RFC 8259 text and also rejects what lets two parsers read one
// document differently: duplicate member names at any depth, invalid
// UTF-8, lone surrogates, and nesting deeper than maxJSONDepth.

const maxJSONDepth = 32

var (
	errJSONSyntax    = errors.New("invalid JSON")
	errJSONDuplicate = errors.New("duplicate JSON member name")
	errJSONDepth     = errors.New("JSON nested too deeply")
	errJSONNotObject = errors.New("JSON is not an object")
)

type jsonScanner struct {
	data  []byte
	pos   int
	depth int

	// dupDepth, when not zero, limits the duplicate-name check to
	// objects at most that deep (none when negative), for documents
	// whose parts are read strictly on their own later.
	dupDepth int
}

// scanObject reads data as one JSON object and calls fn with each
// top-level member's name (unescaped) and raw value. Nested values are
// validated and skipped. fn may keep neither slice past data's life.
func scanObject(data []byte, fn func(name, value []byte) error) error {
	it := members(data, 0)
	return it.each(fn)
}

// scanOuterObject is scanObject with duplicate names refused only among
// the top-level members. A key set uses it, so that one key with a
// duplicate member is skipped rather than failing the whole set.
func scanOuterObject(data []byte, fn func(name, value []byte) error) error {
	it := members(data, 1)
	return it.each(fn)
}

// memberIter walks the members of a top-level JSON object one at a
// time, validating as it goes, so that hot paths read a token without
// a callback (whose arguments would escape to the heap).
type memberIter struct {
	s     jsonScanner
	names memberNames
	state uint8 // iterStart, iterMember or iterDone
	err   error // the first error, sticky
}

const (
	iterStart = iota
	iterMember
	iterDone
)

// members prepares to walk data; dupDepth is as in jsonScanner. The
// iterator is built by value: stored through a pointer, data would
// escape to the heap.
func members(data []byte, dupDepth int) memberIter {
	it := memberIter{s: jsonScanner{data: data, depth: 1, dupDepth: dupDepth}}
	it.s.space()
	if it.s.pos >= len(data) || data[it.s.pos] != '{' {
		it.err, it.state = errJSONNotObject, iterDone
		return it
	}
	it.s.pos++
	return it
}

// next returns the next member's name (unescaped) and raw value, and
// false at the end of the object or at the first error (see it.err).
// The end is reached only if nothing but white space follows.
func (it *memberIter) next() (name, value []byte, ok bool) {
	if it.state == iterDone {
		return nil, nil, false
	}
	s := &it.s
	s.space()
	if s.pos >= len(s.data) {
		return it.fail(errJSONSyntax)
	}
	switch c := s.data[s.pos]; {
	case c == '}' && it.state == iterStart, c == '}' && it.state == iterMember:
		s.pos++
		s.space()
		if s.pos != len(s.data) {
			return it.fail(errJSONSyntax)
		}
		it.state = iterDone
		return nil, nil, false
	case c == ',' && it.state == iterMember:
		s.pos++
		s.space()
	case it.state == iterMember:
		return it.fail(errJSONSyntax)
	}
	it.state = iterMember

	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return it.fail(errJSONSyntax)
	}
	name, err := s.memberName(&it.names, true)
	if err != nil {
		return it.fail(err)
	}
	s.space()
	if s.pos >= len(s.data) || s.data[s.pos] != ':' {
		return it.fail(errJSONSyntax)
	}
	s.pos++
	s.space()
	if value, err = s.value(); err != nil {
		return it.fail(err)
	}
	return name, value, true
}

func (it *memberIter) fail(err error) ([]byte, []byte, bool) {
	it.err, it.state = err, iterDone
	return nil, nil, false
}

// each calls fn for every member and returns the first error, of the
// walk or of fn.
func (it *memberIter) each(fn func(name, value []byte) error) error {
	for {
		name, value, ok := it.next()
		if !ok {
			return it.err
		}
		if err := fn(name, value); err != nil {
			return err
		}
	}
}

func (s *jsonScanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value skips one value at s.pos and returns its raw bytes.
func (s *jsonScanner) value() ([]byte, error) {
	start := s.pos
	if s.pos >= len(s.data) {
		return nil, errJSONSyntax
	}
	var err error
	switch c := s.data[s.pos]; {
	case c == '{':
		err = s.object()
	case c == '[':
		err = s.array()
	case c == '"':
		_, _, err = s.str()
	case c == 't':
		err = s.literal("true")
	case c == 'f':
		err = s.literal("false")
	case c == 'n':
		err = s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		err = s.number()
	default:
		err = errJSONSyntax
	}
	return s.data[start:s.pos], err
}

func (s *jsonScanner) literal(lit string) error {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(lit)) {
		return errJSONSyntax
	}
	s.pos += len(lit)
	return nil
}

// object reads a nested object at s.pos.
func (s *jsonScanner) object() error {
	if s.depth++; s.depth > maxJSONDepth {
		return errJSONDepth
	}
	defer func() { s.depth-- }()
	s.pos++ // '{'
	var names memberNames
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return nil
	}
	for {
		s.space()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return errJSONSyntax
		}
		if _, err := s.memberName(&names, s.dupDepth == 0 || s.depth <= s.dupDepth); err != nil {
			return err
		}
		s.space()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return errJSONSyntax
		}
		s.pos++
		s.space()
		if _, err := s.value(); err != nil {
			return err
		}
		s.space()
		if s.pos >= len(s.data) {
			return errJSONSyntax
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return errJSONSyntax
		}
	}
}

func (s *jsonScanner) array() error {
	if s.depth++; s.depth > maxJSONDepth {
		return errJSONDepth
	}
	defer func() { s.depth-- }()
	s.pos++ // '['
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return nil
	}
	for {
		s.space()
		if _, err := s.value(); err != nil {
			return err
		}
		s.space()
		if s.pos >= len(s.data) {
			return errJSONSyntax
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return errJSONSyntax
		}
	}
}

// str reads a string at s.pos and returns its raw content (without
// quotes) and whether it holds escapes.
func (s *jsonScanner) str() (raw []byte, escaped bool, err error) {
	s.pos++ // '"'
	start := s.pos
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			raw = s.data[start:s.pos]
			s.pos++
			return raw, escaped, nil
		case c == '\\':
			escaped = true
			if err := s.escape(); err != nil {
				return nil, false, err
			}
		case c < 0x20:
			return nil, false, errJSONSyntax
		case c < utf8.RuneSelf:
			s.pos++
		default:
			r, n := utf8.DecodeRune(s.data[s.pos:])
			if r == utf8.RuneError && n <= 1 {
				return nil, false, errJSONSyntax
			}
			s.pos += n
		}
	}
	return nil, false, errJSONSyntax
}

// escape checks one escape sequence at s.pos, including that \u
// surrogates come in valid pairs.
func (s *jsonScanner) escape() error {
	if s.pos+1 >= len(s.data) {
		return errJSONSyntax
	}
	switch s.data[s.pos+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos += 2
		return nil
	case 'u':
	default:
		return errJSONSyntax
	}
	r, ok := hex4(s.data[s.pos+2:])
	if !ok {
		return errJSONSyntax
	}
	s.pos += 6
	if !utf16.IsSurrogate(r) {
		return nil
	}
	if r >= 0xdc00 || s.pos+1 >= len(s.data) || s.data[s.pos] != '\\' || s.data[s.pos+1] != 'u' {
		return errJSONSyntax
	}
	r2, ok := hex4(s.data[s.pos+2:])
	if !ok || r2 < 0xdc00 || r2 > 0xdfff {
		return errJSONSyntax
	}
	s.pos += 6
	return nil
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func (s *jsonScanner) number() error {
	d := s.data
	if s.pos < len(d) && d[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(d) && d[s.pos] == '0':
		s.pos++
	case s.pos < len(d) && d[s.pos] >= '1' && d[s.pos] <= '9':
		s.digits()
	default:
		return errJSONSyntax
	}
	if s.pos < len(d) && d[s.pos] == '.' {
		s.pos++
		if s.digits() == 0 {
			return errJSONSyntax
		}
	}
	if s.pos < len(d) && (d[s.pos] == 'e' || d[s.pos] == 'E') {
		s.pos++
		if s.pos < len(d) && (d[s.pos] == '+' || d[s.pos] == '-') {
			s.pos++
		}
		if s.digits() == 0 {
			return errJSONSyntax
		}
	}
	return nil
}

func (s *jsonScanner) digits() int {
	start := s.pos
	for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
		s.pos++
	}
	return s.pos - start
}

// memberName reads the member name at s.pos and returns it unescaped;
// with dup set, a name already in names is an error. Names are kept as
// offsets into s.data, never as slices, so that reading a token's
// header leaves its buffer on the caller's stack.
func (s *jsonScanner) memberName(names *memberNames, dup bool) ([]byte, error) {
	off := s.pos + 1
	raw, escaped, err := s.str()
	if err != nil {
		return nil, err
	}
	if dup && !names.add(s.data, nameRef{off: off, end: off + len(raw), escaped: escaped}) {
		return nil, errJSONDuplicate
	}
	if escaped {
		return unescapeJSON(raw), nil
	}
	return raw, nil
}

// nameRef locates a member name's raw content, data[off:end].
type nameRef struct {
	off, end int
	escaped  bool
}

func (r nameRef) text(data []byte) []byte {
	if r.escaped {
		return unescapeJSON(data[r.off:r.end])
	}
	return data[r.off:r.end]
}

// memberNames remembers the names of one object to find duplicates:
// inline for small objects, a map beyond.
type memberNames struct {
	small [16]nameRef
	n     int
	big   map[string]struct{}
}

// add records the name r locates in data and reports whether it was
// new. Escaped names, rare in practice, are compared unescaped.
func (m *memberNames) add(data []byte, r nameRef) bool {
	if m.big != nil {
		name := r.text(data)
		if _, dup := m.big[string(name)]; dup {
			return false
		}
		m.big[string(name)] = struct{}{}
		return true
	}
	raw := data[r.off:r.end]
	for _, prev := range m.small[:m.n] {
		if !prev.escaped && !r.escaped {
			if bytes.Equal(data[prev.off:prev.end], raw) {
				return false
			}
		} else if bytes.Equal(prev.text(data), r.text(data)) {
			return false
		}
	}
	if m.n < len(m.small) {
		m.small[m.n] = r
		m.n++
		return true
	}
	m.big = make(map[string]struct{}, 2*len(m.small))
	for _, prev := range m.small[:m.n] {
		m.big[string(prev.text(data))] = struct{}{}
	}
	m.big[string(r.text(data))] = struct{}{}
	return true
}

// unescapeJSON decodes the escapes of a string's raw content that
// jsonScanner.str has already validated.
func unescapeJSON(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		switch raw[i+1] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, _ := hex4(raw[i+2:])
			if utf16.IsSurrogate(r) {
				r2, _ := hex4(raw[i+8:])
				r = utf16.DecodeRune(r, r2)
				i += 6
			}
			out = utf8.AppendRune(out, r)
			i += 6
			continue
		default:
			out = append(out, raw[i+1])
		}
		i += 2
	}
	return out
}
