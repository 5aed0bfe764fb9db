package server

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
)

// TokenPrefix starts every admin token, so that secret scanners and people
// recognize one.
const TokenPrefix = "cfadm_"

// GenerateToken returns a new random admin token: 256 bits from
// crypto/rand, URL-safe, with TokenPrefix.
func GenerateToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// HashToken is how a token is stored in a token file: "sha256:" and the
// hex SHA-256 of the token. A token has 256 random bits, so a fast hash is
// enough: nobody can search that space, salted or not.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// TokenLine is the token file line of a token: "NAME ROLE sha256:HEX".
func TokenLine(name string, role Role, token string) string {
	return name + " " + role.String() + " " + HashToken(token)
}

var tokenNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$`)

// ValidTokenName reports whether name can name a token: letters, digits
// and . _ @ + -, at most 64, starting with a letter or digit.
func ValidTokenName(name string) bool { return tokenNameRE.MatchString(name) }

// tokenEntry is one line of a token file.
type tokenEntry struct {
	name string
	role Role
	hash [sha256.Size]byte
}

// ParseTokens reads a token file: one token a line, "NAME ROLE
// sha256:HEX"; blank lines and lines starting with # are ignored. Every
// mistake is reported with its line; the file is accepted whole or not.
func ParseTokens(path string, data []byte) ([]tokenEntry, error) {
	var (
		out   []tokenEntry
		errs  []error
		names = map[string]int{}
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		e, err := parseTokenLine(line)
		if err == nil {
			if first, dup := names[e.name]; dup {
				err = fmt.Errorf("token %q is named on line %d too: give each token its own name", e.name, first)
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", path, n, err))
			continue
		}
		names[e.name] = n
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", path, err))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func parseTokenLine(line string) (tokenEntry, error) {
	f := strings.Fields(line)
	if len(f) != 3 {
		return tokenEntry{}, errors.New("a token line is NAME ROLE sha256:HEX (as `cardflow admin token create` prints it)")
	}
	if strings.HasPrefix(f[2], TokenPrefix) {
		// Never echo the value: it is a live token pasted by mistake.
		return tokenEntry{}, errors.New("this line holds a token itself, not its hash: store only the sha256: line `cardflow admin token create` prints, and create a new token (this one was written to a file in clear)")
	}
	if !ValidTokenName(f[0]) {
		return tokenEntry{}, fmt.Errorf("token name %q: use letters, digits and . _ @ + - (at most 64)", f[0])
	}
	role, err := ParseRole(f[1])
	if err != nil {
		return tokenEntry{}, err
	}
	hexHash, ok := strings.CutPrefix(f[2], "sha256:")
	var e tokenEntry
	if n, err := hex.Decode(e.hash[:], []byte(hexHash)); !ok || err != nil || n != sha256.Size || len(hexHash) != 2*sha256.Size {
		return tokenEntry{}, errors.New("the hash is sha256: and 64 hex digits")
	}
	e.name, e.role = f[0], role
	return e, nil
}

// TokenFile authenticates bearer tokens against a token file. The file is
// read again when it changes (checked at each request), so tokens are
// added and revoked without a restart; a change that does not parse is
// logged and the tokens read before stay in force.
type TokenFile struct {
	path string
	log  *slog.Logger

	mu      sync.Mutex
	tokens  []tokenEntry
	stamp   fileStamp
	refused fileStamp // the last change that did not parse, logged once
}

// OpenTokenFile reads a token file. It must name at least one token.
func OpenTokenFile(path string, log *slog.Logger) (*TokenFile, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st, err := stampFiles(path)
	if err != nil {
		return nil, err
	}
	tokens, err := readTokens(path)
	if err != nil {
		return nil, err
	}
	return &TokenFile{path: path, log: log, tokens: tokens, stamp: st}, nil
}

func readTokens(path string) ([]tokenEntry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tokens, err := ParseTokens(path, data)
	if err != nil {
		return nil, err
	}
	if len(tokens) == 0 {
		return nil, fmt.Errorf("%s names no token: add one with `cardflow admin token create NAME --role read`", path)
	}
	return tokens, nil
}

// Authenticate implements Authenticator for "Authorization: Bearer" tokens.
func (f *TokenFile) Authenticate(r *http.Request) (*Principal, error) {
	token, _ := BearerToken(r)
	if token == "" {
		return nil, ErrUnauthenticated
	}
	return f.AuthenticateToken(token)
}

// AuthenticateToken returns the principal of a token given otherwise than
// in a header.
func (f *TokenFile) AuthenticateToken(token string) (*Principal, error) {
	return f.AuthenticateDigest(sha256.Sum256([]byte(token)))
}

// AuthenticateDigest returns the principal of the token whose SHA-256
// digest is sum, as the file names it now: the console keeps a session's
// digest, not its token, and asks again on every request.
func (f *TokenFile) AuthenticateDigest(sum [sha256.Size]byte) (*Principal, error) {
	tokens := f.current()
	// Compare with every token, in constant time, so that the time taken
	// says nothing about which hash, or how much of one, matched.
	found := -1
	for i := range tokens {
		if subtle.ConstantTimeCompare(sum[:], tokens[i].hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return nil, ErrUnauthenticated
	}
	return &Principal{Name: tokens[found].name, Role: tokens[found].role, Method: "token"}, nil
}

// current returns the tokens, reading the file again if it changed.
func (f *TokenFile) current() []tokenEntry {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, err := stampFiles(f.path)
	if err != nil {
		if f.refused != "missing" {
			f.refused = "missing"
			f.log.Error("reading the admin token file failed; the tokens read before stay in force", "file", f.path, "err", err)
		}
		return f.tokens
	}
	if st == f.stamp || st == f.refused {
		return f.tokens
	}
	tokens, err := readTokens(f.path)
	if err != nil {
		f.refused = st
		f.log.Error("the admin token file changed but is refused; the tokens read before stay in force", "file", f.path, "err", err)
		return f.tokens
	}
	f.tokens, f.stamp, f.refused = tokens, st, ""
	f.log.Info("admin token file reloaded", "file", f.path, "tokens", len(tokens))
	return f.tokens
}
