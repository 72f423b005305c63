// Package demo is what the four example programs share: their command
// line, a small embedded token issuer for trying them without an
// identity provider, the JSON their routes answer with, and the
// lifecycle of listening, serving and shutting down on a signal.
//
// Each program's main builds its framework's router with the Gate that
// Main hands it and returns it as a Server; everything else happens
// here, so the programs differ only where their frameworks do.
//
// Main prints, on standard output, shell lines to try the program
// with (when the embedded issuer runs) and then exactly one line
// "listening on http://HOST:PORT" once the listener accepts
// connections, which scripts and tests wait for.
package demo
