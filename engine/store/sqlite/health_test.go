package sqlite_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/store/sqlite"
)

func TestCheckNoticesRemovedAndReplacedFiles(t *testing.T) {
	for _, tt := range []struct {
		name   string
		damage func(t *testing.T, path string)
		want   string
	}{
		{"database removed", func(t *testing.T, path string) { rm(t, path) }, "was removed"},
		{"WAL removed", func(t *testing.T, path string) { rm(t, path+"-wal") }, "-wal was removed"},
		{"database replaced", func(t *testing.T, path string) {
			other := path + ".new"
			if err := os.WriteFile(other, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(other, path); err != nil {
				t.Fatal(err)
			}
		}, "was replaced"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cardflow.db")
			s, err := sqlite.Open(path, sqlite.Options{Exclusive: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Check(); err != nil {
				t.Fatalf("Check of a sound store: %v", err)
			}
			tt.damage(t, path)
			err = s.Check()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Check = %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

func rm(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}
