package seed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
	snemu "github.com/cardflow/cardflow/connectors/servicenow/emulator"
)

// File is a decoded seed file. A part the file does not have is nil.
type File struct {
	Okta       *oktaemu.Seed
	ServiceNow *snemu.Seed
	// Tables are rows of flow tables: table name → key → row.
	Tables map[string]map[string]map[string]any
}

// The systems a part of a file seeds, as named in the file.
const (
	Okta       = "okta"
	ServiceNow = "servicenow"
)

var (
	wholeFields      = []string{Okta, ServiceNow, "tables"}
	oktaFields       = []string{"users", "groups", "apps"}
	serviceNowFields = []string{"users", "groups", "records", "close_codes", "columns"}
)

// Read reads and decodes the seed file at path. Errors name the file.
func Read(path string) (File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return File{}, err
	}
	f, err := Parse(data)
	if err != nil {
		return File{}, fmt.Errorf("seed file %s: %w", path, err)
	}
	return f, nil
}

// Parse decodes a seed file: the whole format, or one emulator's part
// alone.
func Parse(data []byte) (File, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return File{}, fmt.Errorf("not a JSON object: %w", err)
	}
	if top == nil {
		return File{}, errors.New("not a JSON object: null")
	}
	keys := slices.Sorted(maps.Keys(top))
	if slices.ContainsFunc(keys, func(k string) bool { return slices.Contains(wholeFields, k) }) {
		return parseWhole(top, keys)
	}
	return parsePart(data, keys)
}

func parseWhole(top map[string]json.RawMessage, keys []string) (File, error) {
	for _, k := range keys {
		if !slices.Contains(wholeFields, k) {
			return File{}, fmt.Errorf("unknown field %q: a seed file has the fields %s (or is one emulator's seed alone)", k, strings.Join(wholeFields, ", "))
		}
	}
	var f File
	if raw, ok := top[Okta]; ok {
		f.Okta = &oktaemu.Seed{}
		if err := decodeStrict(raw, f.Okta, Okta); err != nil {
			return File{}, err
		}
	}
	if raw, ok := top[ServiceNow]; ok {
		f.ServiceNow = &snemu.Seed{}
		if err := decodeStrict(raw, f.ServiceNow, ServiceNow); err != nil {
			return File{}, err
		}
	}
	if raw, ok := top["tables"]; ok {
		if err := decodeStrict(raw, &f.Tables, "tables"); err != nil {
			return File{}, err
		}
	}
	return f, nil
}

// parsePart recognises one emulator's seed alone by its fields: apps are
// Okta's, records and close codes ServiceNow's, and users and groups
// decode as one system's only (an Okta user has a profile, a ServiceNow
// user a user_name).
func parsePart(data []byte, keys []string) (File, error) {
	var o oktaemu.Seed
	var s snemu.Seed
	oErr := errFields(keys, oktaFields, Okta)
	if oErr == nil {
		oErr = decodeStrict(data, &o, "")
	}
	sErr := errFields(keys, serviceNowFields, ServiceNow)
	if sErr == nil {
		sErr = decodeStrict(data, &s, "")
	}
	switch {
	case oErr == nil && sErr == nil:
		return File{}, errors.New(`it reads as an Okta seed and as a ServiceNow seed: put it under "okta" or "servicenow" ({"okta": {…}})`)
	case oErr == nil:
		return File{Okta: &o}, nil
	case sErr == nil:
		return File{ServiceNow: &s}, nil
	}
	for _, k := range keys {
		if !slices.Contains(oktaFields, k) && !slices.Contains(serviceNowFields, k) {
			return File{}, fmt.Errorf("unknown field %q: a seed file has the fields %s, or is one emulator's seed alone (see docs/seeds.md)", k, strings.Join(wholeFields, ", "))
		}
	}
	return File{}, fmt.Errorf("neither an Okta seed (%v) nor a ServiceNow seed (%v)", oErr, sErr)
}

func errFields(keys, allowed []string, system string) error {
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			return fmt.Errorf("%s seeds have no field %q", system, k)
		}
	}
	return nil
}

// For returns the part of f that seeds system (Okta or ServiceNow): an
// error when f has none, so that a file meant for another emulator is not
// taken for an empty one.
func (f File) For(system string) (any, error) {
	switch system {
	case Okta:
		if f.Okta != nil {
			return *f.Okta, nil
		}
	case ServiceNow:
		if f.ServiceNow != nil {
			return *f.ServiceNow, nil
		}
	default:
		return nil, fmt.Errorf("there is no %s emulator", system)
	}
	return nil, fmt.Errorf("it has no %q part", system)
}

// decodeStrict decodes data into v refusing unknown fields; the error of
// an unknown field says where it is, below prefix.
func decodeStrict(data []byte, v any, prefix string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		return nil
	}
	if where, field, ok := locateUnknown(data, v, prefix); ok {
		if where == "" {
			return fmt.Errorf("unknown field %q", field)
		}
		return fmt.Errorf("%s: unknown field %q", where, field)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Errorf("%s: want %s, not %s", join(prefix, te.Field), te.Type, te.Value)
	}
	if prefix != "" {
		return fmt.Errorf("%s: %w", prefix, err)
	}
	return err
}

func join(prefix, path string) string {
	if prefix == "" {
		return path
	}
	return prefix + "." + path
}
