package server

import (
	"crypto/tls"
	"log/slog"
	"sync"
)

// Certificate serves a certificate and key pair from PEM files, read again
// when either file changes (checked at each handshake), so that a renewed
// certificate (certbot, cert-manager) is served without a restart. A pair
// that does not load — a renewal caught between writing the certificate
// and the key — is logged once and the pair loaded before is served.
type Certificate struct {
	certFile, keyFile string
	log               *slog.Logger

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   fileStamp
	refused fileStamp
}

// LoadCertificate reads a certificate and key pair.
func LoadCertificate(certFile, keyFile string, log *slog.Logger) (*Certificate, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st, err := stampFiles(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return &Certificate{certFile: certFile, keyFile: keyFile, log: log, cert: &cert, stamp: st}, nil
}

// GetCertificate is tls.Config.GetCertificate.
func (c *Certificate) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, err := stampFiles(c.certFile, c.keyFile)
	if err != nil {
		if c.refused != "missing" {
			c.refused = "missing"
			c.log.Error("reading the TLS certificate failed; the one loaded before is served", "cert", c.certFile, "key", c.keyFile, "err", err)
		}
		return c.cert, nil
	}
	if st == c.stamp || st == c.refused {
		return c.cert, nil
	}
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		c.refused = st
		c.log.Error("the TLS certificate changed but does not load; the one loaded before is served", "cert", c.certFile, "key", c.keyFile, "err", err)
		return c.cert, nil
	}
	c.cert, c.stamp, c.refused = &cert, st, ""
	c.log.Info("TLS certificate reloaded", "cert", c.certFile)
	return c.cert, nil
}

// TLSConfig is the TLS configuration of a listener serving c: TLS 1.2 or
// newer with Go's default cipher suites. http.Server.ServeTLS adds HTTP/2.
func (c *Certificate) TLSConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: c.GetCertificate}
}
