package flows

import (
	"embed"
	"io/fs"
	"os"
	"path/filepath"
)

// Onboarding holds flows/onboarding/*.hcl.
//
//go:embed onboarding/*.hcl
var Onboarding embed.FS

// WriteOnboarding writes the files of Onboarding into dir, keeping their
// paths (onboarding/*.hcl).
func WriteOnboarding(dir string) error {
	return fs.WalkDir(Onboarding, ".", func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		data, err := Onboarding.ReadFile(path)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}
