package console

import "crypto/subtle"

// Tokens is an Authenticator over tokens kept in memory as SHA-256
// hashes, for a console that makes its own token (cardflow demo --console).
type Tokens struct {
	hashes []tokenHash
}

type tokenHash struct {
	sum TokenDigest
	p   Principal
}

// Add lets token in as p.
func (t *Tokens) Add(token string, p Principal) {
	t.hashes = append(t.hashes, tokenHash{sum: DigestOf(token), p: p})
}

// Authenticate implements Authenticator; every hash is compared, in
// constant time, whatever matches.
func (t *Tokens) Authenticate(sum TokenDigest) (Principal, bool) {
	var (
		found Principal
		ok    bool
	)
	for _, h := range t.hashes {
		if subtle.ConstantTimeCompare(sum[:], h.sum[:]) == 1 {
			found, ok = h.p, true
		}
	}
	return found, ok
}
