package migration

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Migration is one numbered schema change, migrations/NNNN_name.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Load reads the migrations in fsys's migrations directory, ordered by
// version; versions must be unique.
func Load(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", n)
		}
		body, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(body)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", ms[i-1].Name, ms[i].Name, ms[i].Version)
		}
	}
	return ms, nil
}

// Check compares the version a database's schema is at with the
// migrations ms this build has. A schema newer than ms is always refused
// (a newer cardflow migrated it); one older only when exact is set, for a
// reader that migrates nothing and reads the schema as ms leaves it.
func Check(version int, ms []Migration, exact bool) error {
	known := 0
	if len(ms) > 0 {
		known = ms[len(ms)-1].Version
	}
	switch {
	case version > known:
		return fmt.Errorf("database schema is at version %d, newer than this build knows (%d)", version, known)
	case exact && version < known:
		return fmt.Errorf("database schema is at version %d, older than this build reads (%d): cardflow run migrates it when it opens it", version, known)
	}
	return nil
}
