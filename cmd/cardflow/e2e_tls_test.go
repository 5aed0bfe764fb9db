package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testCert is a self-signed certificate for 127.0.0.1.
type testCert struct {
	serial  int64
	cert    *x509.Certificate
	certPEM []byte
	keyPEM  []byte
}

func newTestCert(t *testing.T, serial int64) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "cardflow e2e"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return &testCert{serial: serial, cert: cert,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})}
}

// install writes the pair to certFile and keyFile as a renewal does: each
// file replaced by a rename, the certificate first.
func (c *testCert) install(t *testing.T, certFile, keyFile string) {
	t.Helper()
	for _, f := range []struct {
		path string
		data []byte
	}{{certFile, c.certPEM}, {keyFile, c.keyPEM}} {
		if err := os.WriteFile(f.path+".tmp", f.data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(f.path+".tmp", f.path); err != nil {
			t.Fatal(err)
		}
	}
}

// tlsClient trusts certs and opens a new connection for every request, so
// that each request sees the certificate served at that moment.
func tlsClient(certs ...*testCert) *http.Client {
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c.cert)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool}, DisableKeepAlives: true, ForceAttemptHTTP2: true,
	}}
}

// servedSerial GETs url and returns the serial of the certificate served.
func servedSerial(t *testing.T, client *http.Client, url string) int64 {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	return resp.TLS.PeerCertificates[0].SerialNumber.Int64()
}

// TestE2ETLS serves both surfaces over TLS from one certificate, replaces
// the certificate files while serving and sees the new certificate served
// without a restart, and refuses TLS 1.1.
func TestE2ETLS(t *testing.T) {
	e := newEdge(t)
	first, second := newTestCert(t, 1001), newTestCert(t, 1002)
	certFile, keyFile := filepath.Join(e.dir, "tls.crt"), filepath.Join(e.dir, "tls.key")
	first.install(t, certFile, keyFile)
	e.start("--tls-cert", certFile, "--tls-key", keyFile)
	client := tlsClient(first, second)
	pub, admin := "https://"+e.addr, "https://"+e.admin

	if got := servedSerial(t, client, pub+"/healthz"); got != first.serial {
		t.Errorf("public surface serves certificate %d, want %d", got, first.serial)
	}
	if got := servedSerial(t, client, admin+"/metrics"); got != first.serial {
		t.Errorf("admin surface serves certificate %d, want %d", got, first.serial)
	}
	e.invoke(client, pub)
	// Plain HTTP on a TLS listener is refused.
	if resp, err := http.Get("http://" + e.addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP served on the TLS listener")
		}
	}
	for _, addr := range []string{e.addr, e.admin} {
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: client.Transport.(*http.Transport).TLSClientConfig.RootCAs, MaxVersion: tls.VersionTLS11})
		if err == nil {
			conn.Close()
			t.Errorf("%s: a TLS 1.1 handshake succeeded", addr)
		}
	}
	// net/http reports the refused handshakes itself: as log records, not
	// as plain lines that would break a JSON log.
	eventually(t, "the refused handshakes in the log", func() bool {
		n := 0
		for _, r := range e.p.out.records() {
			if msg, _ := r["msg"].(string); strings.Contains(msg, "TLS handshake error") && r["level"] == "WARN" {
				n++
			}
		}
		return n >= 2
	})
	for _, line := range strings.Split(strings.TrimSpace(e.p.out.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("a log line is not JSON: %s", line)
		}
	}

	second.install(t, certFile, keyFile)
	eventually(t, "the renewed certificate to be served", func() bool {
		return servedSerial(t, client, pub+"/healthz") == second.serial && servedSerial(t, client, admin+"/metrics") == second.serial
	})
	if !e.p.out.hasRecord("TLS certificate reloaded") {
		t.Error("no log line says the certificate was reloaded")
	}

	// A renewal that leaves a broken pair keeps the pair served before.
	if err := os.WriteFile(keyFile, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := servedSerial(t, client, pub+"/healthz"); got != second.serial {
		t.Errorf("after a broken key the served certificate is %d, want %d", got, second.serial)
	}
}

// TestE2ETLSAdminCertificate gives the admin surface a certificate of its
// own.
func TestE2ETLSAdminCertificate(t *testing.T) {
	e := newEdge(t)
	pubCert, adminCert := newTestCert(t, 2001), newTestCert(t, 2002)
	pubCert.install(t, filepath.Join(e.dir, "pub.crt"), filepath.Join(e.dir, "pub.key"))
	adminCert.install(t, filepath.Join(e.dir, "admin.crt"), filepath.Join(e.dir, "admin.key"))
	e.start("--tls-cert", filepath.Join(e.dir, "pub.crt"), "--tls-key", filepath.Join(e.dir, "pub.key"),
		"--admin-tls-cert", filepath.Join(e.dir, "admin.crt"), "--admin-tls-key", filepath.Join(e.dir, "admin.key"))
	client := tlsClient(pubCert, adminCert)
	if got := servedSerial(t, client, "https://"+e.addr+"/healthz"); got != pubCert.serial {
		t.Errorf("public surface serves %d, want %d", got, pubCert.serial)
	}
	if got := servedSerial(t, client, "https://"+e.admin+"/metrics"); got != adminCert.serial {
		t.Errorf("admin surface serves %d, want %d", got, adminCert.serial)
	}
}

// TestE2ETLSFlagMistakes: a certificate without its key, or files that do
// not load, are usage errors (exit 2) before anything is served.
func TestE2ETLSFlagMistakes(t *testing.T) {
	e := newEdge(t)
	c := newTestCert(t, 3001)
	certFile, keyFile := filepath.Join(e.dir, "tls.crt"), filepath.Join(e.dir, "tls.key")
	c.install(t, certFile, keyFile)
	base := []string{"run", filepath.Join(e.dir, "flows"), "--db", e.db, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"}
	for _, args := range [][]string{
		{"--tls-cert", certFile},
		{"--tls-key", keyFile},
		{"--tls-cert", keyFile, "--tls-key", certFile},
		{"--tls-cert", filepath.Join(e.dir, "missing.crt"), "--tls-key", keyFile},
		{"--admin-tls-cert", certFile},
	} {
		if _, stderr, code := e.cli(append(base, args...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, stderr)
		}
	}
}
